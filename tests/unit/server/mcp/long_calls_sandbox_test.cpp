// Real shell_exec calls on the bubblewrap backend, through the registry and the engine over an
// in-memory stdio connection: as many commands as the quick pool has threads, all still running,
// do not delay an fs_read in another project. (On one shared pool they held every thread.)
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/mcp/connection_server.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/workers/worker_pool.h"
#include "server/workspace/workspace.h"
#include "tests/support/test_mcp_client.h"
#include "tests/support/sandbox_test_support.h"
#include "tools/exec/exec_tools.h"
#include "tools/fs/fs_tools.h"
#include "transport/memory_connection.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;

class LongCallsSandboxTest : public SandboxFixture {};

TEST_F(LongCallsSandboxTest, RunningCommandsDoNotDelayAQuickCallInAnotherProject) {
  constexpr int kQuickThreads = 4;
  ToolRegistry registry;
  register_exec_tools(registry, *manager_);
  register_fs_tools(registry, *projects_);
  ASSERT_TRUE(projects_->create("beta", "").ok());
  auto alpha = projects_->workspace(std::string("alpha"));
  auto beta = projects_->workspace(std::string("beta"));
  ASSERT_TRUE(alpha.ok() && beta.ok());
  const std::filesystem::path alpha_root = (*alpha)->root();
  write_file((*beta)->root() / "notes.txt", "quick answer\n");

  WorkerPool workers(kQuickThreads);
  McpServer server(ServerIdentity{"t", "t", "1", "", {}}, registry, workers);
  server.set_long_call_limits({.threads = 8, .per_project = kQuickThreads, .per_client = 8});
  auto [client_end, server_end] = MemoryConnection::pair();
  test::TestMcpClient client(std::move(client_end));
  std::thread serving(
      [&server, &connection = *server_end] { serve_connection(server, connection); });
  // Whatever the outcome, the commands end (they wait for this file) and the server stops.
  struct Cleanup {
    const std::filesystem::path release;
    test::TestMcpClient& client;
    std::thread& serving;
    ~Cleanup() {
      write_file(release, "");
      client.close();
      serving.join();
    }
  } cleanup{alpha_root / "release", client, serving};

  client.initialize("2025-11-25");
  std::vector<json> commands;
  for (int i = 0; i < kQuickThreads; ++i) {
    const json id = client.next_id();
    const std::string command = "touch started." + std::to_string(i) +
                                "; while [ ! -e release ]; do sleep 0.05; done; echo done";
    client.send_request(
        id, "tools/call",
        {{"name", "shell_exec"},
         {"arguments", {{"project", "alpha"}, {"command", command}, {"timeout_ms", 60000}}}});
    commands.push_back(id);
  }
  ASSERT_TRUE(eventually(
      [&] {
        for (int i = 0; i < kQuickThreads; ++i) {
          if (!std::filesystem::exists(alpha_root / ("started." + std::to_string(i)))) {
            return false;
          }
        }
        return true;
      },
      test::kReplyDeadline))
      << "the commands did not all start";

  json read =
      client
          .request("tools/call", {{"name", "fs_read"},
                                  {"arguments", {{"project", "beta"}, {"path", "notes.txt"}}}})
          .response;
  ASSERT_TRUE(read.contains("result")) << read;
  EXPECT_NE(read["result"]["content"][0].value("text", "").find("quick answer"), std::string::npos)
      << read;
  EXPECT_FALSE(std::filesystem::exists(alpha_root / "release"));

  write_file(alpha_root / "release", "");
  for (const json& id : commands) {
    json done = client.await(id).response;
    EXPECT_EQ(done["result"]["structuredContent"]["exit_code"], 0) << done;
  }
}

}  // namespace
}  // namespace benchtop::testing
