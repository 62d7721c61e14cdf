// An editor's `benchtop stdio` and a `benchtop serve` on the same data directory (both default
// to ~/.local/share/benchtop) use the same project sandboxes: a process started through one is
// listed, read and killed through the other, and neither stopping nor starting a server kills
// the other's processes.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "e2e/serve_session.h"
#include "e2e/server_process.h"
#include "e2e/stdio_client.h"

namespace benchtop::e2e {
namespace {

using nlohmann::json;

json process_named(const json& list, const std::string& id) {
  for (const auto& process : list["structuredContent"]["processes"]) {
    if (process["process_id"] == id) return process;
  }
  return nullptr;
}

TEST(SharedSandboxE2e, StdioAndServeShareProcessesAndNeitherKillsTheOthers) {
  TempDir data;
  std::optional<StdioClient> editor(std::in_place, data.path(), json::object());
  json made = editor->call(1, "project_create", {{"name", "shared"}});
  ASSERT_FALSE(made["result"].value("isError", false)) << made;
  json started = editor->call(2, "process_start",
                              {{"project", "shared"}, {"command", "echo hi; exec sleep 987641"}});
  ASSERT_FALSE(started["result"].value("isError", false)) << started;
  const std::string id = started["result"]["structuredContent"]["process_id"];

  ServerProcess serve({"serve", "--data-dir", data.path().string(), "--listen", "127.0.0.1:0"});
  const int port = start_serve(serve);
  ASSERT_GT(port, 0);
  HttpSession chat_page(port);
  json listed = chat_page.call("process_list", {{"project", "shared"}});
  ASSERT_TRUE(process_named(listed, id).is_object()) << listed;
  EXPECT_EQ(process_named(listed, id)["running"], true);
  json read = chat_page.call("process_read", {{"project", "shared"}, {"process_id", id}});
  EXPECT_EQ(read["structuredContent"]["output"], "hi\n") << read;

  // The editor closes: its server goes, the process it started stays.
  editor->process().close_stdin();
  EXPECT_EQ(editor->process().wait_for_exit(), 0);
  editor.reset();
  listed = chat_page.call("process_list", {{"project", "shared"}});
  EXPECT_EQ(process_named(listed, id)["running"], true) << listed;

  // The editor comes back (start-up reconciles the sandboxes) and kills it; serve sees that.
  editor.emplace(data.path(), json::object());
  listed = chat_page.call("process_list", {{"project", "shared"}});
  EXPECT_EQ(process_named(listed, id)["running"], true) << listed;
  json killed = editor->call(3, "process_kill",
                             {{"project", "shared"}, {"process_id", id}, {"signal", "KILL"}});
  ASSERT_FALSE(killed["result"].value("isError", false)) << killed;
  listed = chat_page.call("process_list", {{"project", "shared"}});
  EXPECT_EQ(process_named(listed, id)["running"], false) << listed;

  json destroyed =
      chat_page.call("devcontainer_destroy", {{"project", "shared"}, {"confirm", "shared"}});
  EXPECT_FALSE(destroyed.value("isError", false)) << destroyed;
  EXPECT_EQ(serve.terminate(), 0);
}

}  // namespace
}  // namespace benchtop::e2e
