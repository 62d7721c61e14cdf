// A 2026-07-28 (stateless) tools/call is cancelled as soon as the connection of its POST closes,
// through the HTTP server's client_gone token: not only at the next SSE keep-alive write, and also
// before the stream has started. Served over a real loopback socket.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "tests/support/raw_http_client.h"
#include "server/mcp/http/streamable_http.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/sessions/session_store.h"
#include "server/mcp/workers/worker_pool.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class StreamableHttpDisconnectTest : public ::testing::Test {
 protected:
  StreamableHttpDisconnectTest() : workers_(2), sessions_(std::chrono::seconds(60)) {
    Tool tool;
    tool.name = "wait_for_cancel";
    tool.title = "Wait for cancel";
    tool.description = "Runs until it is cancelled (at most 20 s).";
    tool.input_schema = {{"type", "object"}, {"properties", json::object()}};
    tool.handler = [this](const json&, ToolContext& context) {
      context.cancellation().on_cancel([this] { changed_.notify_all(); });
      std::unique_lock lock(mutex_);
      started_ = true;
      changed_.notify_all();
      changed_.wait_for(lock, 20s, [&] { return context.cancelled(); });
      cancelled_ = context.cancelled();
      changed_.notify_all();
      return ToolResult::text("done");
    };
    tools_.add(std::move(tool));
    server_ = std::make_unique<McpServer>(ServerIdentity{"t", "", "1", "", {}}, tools_, workers_);
    StreamableHttpOptions options;
    options.keepalive = 60s;  // a keep-alive write would notice the client only after a minute
    http_ = std::make_unique<StreamableHttp>(
        *server_, HttpAccess(HttpAccessPolicy{true, "", {}, {}}), sessions_, options);
    HttpServer::Options http_options;
    http_options.threads = 4;
    serving_ = std::make_unique<test::ServingHttpServer>(
        http_options, [this](const HttpRequest& request) { return http_->handle(request); });
  }
  ~StreamableHttpDisconnectTest() override {
    serving_.reset();
    workers_.wait_idle();
  }

  std::string modern_call() const {
    const std::string body = jsonrpc::serialize(jsonrpc::make_request(
        1, "tools/call",
        {{"name", "wait_for_cancel"},
         {"arguments", json::object()},
         {"_meta",
          {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
           {"io.modelcontextprotocol/clientCapabilities", json::object()}}}}));
    return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(serving_->port()) +
           "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
           "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n"
           "Mcp-Name: wait_for_cancel\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  ToolRegistry tools_;
  WorkerPool workers_;
  SessionStore sessions_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<StreamableHttp> http_;
  std::unique_ptr<test::ServingHttpServer> serving_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool started_ = false;
  std::optional<bool> cancelled_;
};

TEST_F(StreamableHttpDisconnectTest, ClosingTheConnectionCancelsAStatelessToolCall) {
  test::RawClient client(serving_->port());
  ASSERT_TRUE(client.send(modern_call()));
  {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 10s, [&] { return started_; }));
  }
  client.close();
  std::unique_lock lock(mutex_);
  ASSERT_TRUE(changed_.wait_for(lock, 5s, [&] { return cancelled_.has_value(); }))
      << "the tool call kept running after its client closed the connection";
  EXPECT_TRUE(*cancelled_);
}

TEST_F(StreamableHttpDisconnectTest, ToolCallRunsOnWhileItsClientStaysConnected) {
  test::RawClient client(serving_->port());
  ASSERT_TRUE(client.send(modern_call()));
  {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 10s, [&] { return started_; }));
    // Still running while the client waits on its stream.
    EXPECT_FALSE(changed_.wait_for(lock, 300ms, [&] { return cancelled_.has_value(); }));
  }
}

}  // namespace
}  // namespace benchtop
