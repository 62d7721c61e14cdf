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

#include "e2e/server_process.h"
#include "e2e/stdio_client.h"

namespace benchtop::e2e {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A 2025-11-25 session with `benchtop serve` over Streamable HTTP.
class HttpSession {
 public:
  explicit HttpSession(int port) : client_("127.0.0.1", port) {
    client_.set_read_timeout(30, 0);
    json answer = post({{"jsonrpc", "2.0"},
                        {"id", "init"},
                        {"method", "initialize"},
                        {"params",
                         {{"protocolVersion", "2025-11-25"},
                          {"capabilities", json::object()},
                          {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}}}});
    EXPECT_TRUE(answer.contains("result")) << answer;
    post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  json call(const std::string& tool, const json& arguments) {
    json answer = post({{"jsonrpc", "2.0"},
                        {"id", ++next_id_},
                        {"method", "tools/call"},
                        {"params", {{"name", tool}, {"arguments", arguments}}}});
    EXPECT_TRUE(answer.contains("result")) << answer;
    return answer.value("result", json::object());
  }

 private:
  // The JSON-RPC answer, whether it came as JSON or as the last event of an SSE stream.
  json post(const json& message) {
    httplib::Headers headers = {{"Accept", "application/json, text/event-stream"},
                                {"MCP-Protocol-Version", "2025-11-25"}};
    if (!session_.empty()) headers.emplace("Mcp-Session-Id", session_);
    auto response = client_.Post("/mcp", headers, message.dump(), "application/json");
    if (!response) {
      ADD_FAILURE() << "no HTTP answer: " << httplib::to_string(response.error());
      return json::object();
    }
    if (response->has_header("Mcp-Session-Id")) {
      session_ = response->get_header_value("Mcp-Session-Id");
    }
    if (response->body.empty()) return json::object();
    if (response->get_header_value("Content-Type").rfind("text/event-stream", 0) != 0) {
      return json::parse(response->body, nullptr, false);
    }
    json last = json::object();
    size_t at = 0;
    while ((at = response->body.find("data: ", at)) != std::string::npos) {
      const size_t end = response->body.find('\n', at);
      json event = json::parse(response->body.substr(at + 6, end - at - 6), nullptr, false);
      if (event.is_object() && event.contains("id")) last = event;
      at = end;
    }
    return last;
  }

  httplib::Client client_;
  std::string session_;
  int next_id_ = 0;
};

// Starts `benchtop serve` on a free loopback port and returns the port it logged.
int start_serve(ServerProcess& serve) {
  const auto until = Clock::now() + std::chrono::seconds(20);
  const std::string marker = "listening on http://127.0.0.1:";
  while (Clock::now() < until && serve.running()) {
    const std::string log = serve.stderr_text();
    if (const size_t at = log.find(marker); at != std::string::npos) {
      return std::atoi(log.c_str() + at + marker.size());
    }
    // The server's log is a file: nothing to wait on but the next look at it.
    (void)serve.wait_for_exit(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "serve did not start:\n" << serve.stderr_text();
  return 0;
}

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
}

}  // namespace
}  // namespace benchtop::e2e
