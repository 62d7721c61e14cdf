// A server whose services are still being built: the handshake is answered at once, the rest
// waits for the StartupGate, and a failed start is reported to every request that needed it.
#include "server/mcp/startup_gate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/workers/worker_pool.h"
#include "transport/json_rpc.h"

namespace benchtop {
namespace {

using nlohmann::json;

class CapturedReply : public ReplyChannel {
 public:
  void notify(const json&) override {}
  void respond(const json& response) override {
    std::lock_guard lock(mutex_);
    response_ = response;
  }
  std::optional<json> response() {
    std::lock_guard lock(mutex_);
    return response_;
  }

 private:
  std::mutex mutex_;
  std::optional<json> response_;
};

Tool echo_tool() {
  Tool tool;
  tool.name = "echo";
  tool.title = "Echo";
  tool.description = "Returns its input.";
  tool.input_schema = {{"type", "object"}, {"properties", json::object()}};
  tool.handler = [](const json&, ToolContext&) { return ToolResult::text("echo"); };
  return tool;
}

class StartupGateTest : public ::testing::Test {
 protected:
  StartupGateTest() : server_(ServerIdentity(), registry_, workers_) {
    server_.set_startup_gate(gate_);
  }

  json handle(const std::string& method, json params = json::object()) {
    auto reply = std::make_shared<CapturedReply>();
    server_.handle(session_,
                   jsonrpc::parse(jsonrpc::serialize(
                       jsonrpc::make_request(method, method, std::move(params)))),
                   reply);
    auto response = reply->response();
    return response ? *response : json();
  }

  void initialize() {
    json response = handle("initialize", {{"protocolVersion", "2025-11-25"},
                                          {"capabilities", json::object()},
                                          {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    ASSERT_EQ(response["result"]["protocolVersion"], "2025-11-25") << response;
    server_.handle(
        session_,
        jsonrpc::parse(jsonrpc::serialize(jsonrpc::make_notification("notifications/initialized"))),
        std::make_shared<CapturedReply>());
  }

  ToolRegistry registry_;
  WorkerPool workers_{2};
  StartupGate gate_;
  McpServer server_;
  std::shared_ptr<Session> session_ = std::make_shared<Session>();
};

TEST_F(StartupGateTest, TheHandshakeIsAnsweredWhileTheRestWaitsForTheServices) {
  initialize();
  json listed;
  std::thread lister([&] { listed = handle("tools/list"); });
  // Wait (without sleeping) until the request is parked at the gate.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (gate_.waiting() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(gate_.waiting(), 1u) << "tools/list did not wait for the services";
  EXPECT_TRUE(handle("ping").contains("result"));
  EXPECT_TRUE(handle("logging/setLevel", {{"level", "info"}}).contains("result"));

  // The services are built (a tool registered) and the gate opens: the waiting request sees them.
  registry_.add(echo_tool());
  gate_.open({});
  lister.join();
  ASSERT_TRUE(listed["result"]["tools"].is_array()) << listed;
  ASSERT_EQ(listed["result"]["tools"].size(), 1u) << listed;
  EXPECT_EQ(listed["result"]["tools"][0]["name"], "echo");
  EXPECT_EQ(gate_.waiting(), 0u);
}

TEST_F(StartupGateTest, AFailedStartIsTheAnswerToEveryRequestThatNeedsTheServices) {
  gate_.open(Error::make("cannot open the database: disk I/O error"));
  gate_.open({});  // only the first outcome counts
  initialize();
  for (const char* method : {"tools/list", "tools/call", "resources/list", "prompts/list"}) {
    json response = handle(method, {{"name", "echo"}});
    ASSERT_TRUE(response.contains("error")) << method << ": " << response;
    EXPECT_EQ(response["error"]["code"], jsonrpc::kInternalError) << response;
    EXPECT_NE(response["error"]["message"].get<std::string>().find("disk I/O error"),
              std::string::npos)
        << response;
  }
  EXPECT_TRUE(handle("ping").contains("result"));
}

}  // namespace
}  // namespace benchtop
