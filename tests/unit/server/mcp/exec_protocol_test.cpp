// shell_exec through the MCP protocol on a real sandbox: output arrives as progress notifications
// when the client sent a progressToken, and notifications/cancelled kills the command's whole
// tree (a setsid grandchild included).
#include "server/mcp/connection_server.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/workers/worker_pool.h"
#include "tests/support/sandbox_test_support.h"
#include "tests/support/test_mcp_client.h"
#include "tools/exec/exec_tools.h"
#include "transport/memory_connection.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;

class ExecProtocolTest : public SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    if (IsSkipped()) return;
    register_exec_tools(registry_, *manager_);
    ServerIdentity identity;
    identity.name = "benchtop-test";
    identity.version = "1";
    server_ = std::make_unique<McpServer>(identity, registry_, workers_);
    auto [client_end, server_end] = MemoryConnection::pair(16 * 1024 * 1024);
    server_end_ = std::move(server_end);
    client_ = std::make_unique<test::TestMcpClient>(std::move(client_end));
    serving_ = std::thread([this] { serve_connection(*server_, *server_end_); });
    client_->initialize("2025-06-18");
  }
  void TearDown() override {
    if (client_) client_->close();
    if (serving_.joinable()) serving_.join();
    client_.reset();
    server_.reset();
    SandboxFixture::TearDown();
  }

  ToolRegistry registry_;
  WorkerPool workers_{2};
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<MemoryConnection> server_end_;
  std::unique_ptr<test::TestMcpClient> client_;
  std::thread serving_;
};

TEST_F(ExecProtocolTest, OutputStreamsAsProgressAndCancellationKillsTheTree) {
  const json id = "long-command";
  client_->send_request(
      id, "tools/call",
      {{"name", "shell_exec"},
       {"arguments",
        {{"project", "alpha"},
         {"command", "echo started; setsid sh -c 'sleep 987620' & sleep 987621"}}},
       {"_meta", {{"progressToken", "tok"}}}});
  bool saw_output = false;
  while (!saw_output) {
    auto message = client_->next_message();
    ASSERT_TRUE(message.has_value()) << "no progress notification with the command's output";
    if (message->value("method", "") == "notifications/progress") {
      EXPECT_EQ((*message)["params"]["progressToken"], "tok");
      saw_output = (*message)["params"].value("message", "").find("started") != std::string::npos;
    }
  }
  ASSERT_TRUE(eventually([] { return !processes_matching("sleep 987620").empty(); }));
  client_->notify("notifications/cancelled", {{"requestId", id}, {"reason", "test"}});
  EXPECT_TRUE(eventually([] {
    return processes_matching("sleep 987620").empty() && processes_matching("sleep 987621").empty();
  }));
}

}  // namespace
}  // namespace benchtop::testing
