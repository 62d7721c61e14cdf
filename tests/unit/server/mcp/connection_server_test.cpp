// The end of a connection's input ends serve_connection: calls still running are given the drain
// period, then cancelled, and a call that ignores its cancellation is left behind after the second
// grace period instead of holding the process open forever.
#include "server/mcp/connection_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/workers/worker_pool.h"
#include "tests/support/test_mcp_client.h"
#include "transport/memory_connection.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A gate a tool waits at until the test opens it.
struct Gate {
  std::mutex mutex;
  std::condition_variable opened_cv;
  bool opened = false;
  void open() {
    std::lock_guard lock(mutex);
    opened = true;
    opened_cv.notify_all();
  }
  // Waits until opened, or (if `token` is given) until cancelled.
  void wait(const CancellationToken* token) {
    std::unique_lock lock(mutex);
    while (!opened && !(token && token->cancelled())) opened_cv.wait_for(lock, 5ms);
  }
};

Tool waiting_tool(std::string name, Gate& gate, bool honours_cancellation) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = tool.name;
  tool.description = "Waits at the test's gate.";
  tool.input_schema = {{"type", "object"}, {"additionalProperties", false}};
  tool.handler = [&gate, honours_cancellation](const json&, ToolContext& context) {
    gate.wait(honours_cancellation ? &context.cancellation() : nullptr);
    return ToolResult::text(context.cancelled() ? "cancelled" : "done");
  };
  return tool;
}

class ConnectionServerTest : public ::testing::Test {
 protected:
  ConnectionServerTest() : workers_(2) {
    registry_.add(waiting_tool("cooperative", gate_, true));
    registry_.add(waiting_tool("stuck", gate_, false));
    server_ = std::make_unique<McpServer>(ServerIdentity{}, registry_, workers_);
    auto [client_end, server_end] = MemoryConnection::pair(1 << 20);
    server_end_ = std::move(server_end);
    client_ = std::make_unique<test::TestMcpClient>(std::move(client_end));
    client_->use_modern();
  }
  ~ConnectionServerTest() override {
    gate_.open();  // release a stuck tool, and let it answer before anything it uses goes away
    workers_.wait_idle();
  }

  // Calls `tool`, ends the input, and serves until serve_connection returns (or 10 s pass).
  std::optional<bool> serve_after_calling(const std::string& tool) {
    client_->send_request(1, "tools/call", {{"name", tool}, {"arguments", json::object()}});
    client_->close();
    auto served = std::async(std::launch::async, [this] {
      return serve_connection(*server_, *server_end_, 50ms, 300ms);
    });
    if (served.wait_for(10s) != std::future_status::ready) {
      gate_.open();
      served.wait();
      return std::nullopt;
    }
    return served.get();
  }

  Gate gate_;
  ToolRegistry registry_;
  WorkerPool workers_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<MemoryConnection> server_end_;
  std::unique_ptr<test::TestMcpClient> client_;
};

TEST_F(ConnectionServerTest, ACallThatHonoursCancellationIsCancelledAndWaitedFor) {
  EXPECT_EQ(serve_after_calling("cooperative"), std::optional<bool>(true));
}

TEST_F(ConnectionServerTest, ACallThatIgnoresCancellationIsLeftBehindAfterTheGracePeriod) {
  EXPECT_EQ(serve_after_calling("stuck"), std::optional<bool>(false));
}

}  // namespace
}  // namespace benchtop
