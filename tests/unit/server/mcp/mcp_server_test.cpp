// Protocol tests: a real McpServer served over the in-memory connection pair, driven by a small
// client, on both protocol eras.
#include "server/mcp/mcp_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/mcp/connection_server.h"
#include "server/mcp/protocol.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/workers/worker_pool.h"
#include "tests/support/test_mcp_client.h"
#include "transport/memory_connection.h"

namespace benchtop {
namespace {

using nlohmann::json;
using test::TestMcpClient;

constexpr const char* kMetaVersion = "io.modelcontextprotocol/protocolVersion";
constexpr const char* kMetaCapabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

// What the test tools tell the test: how many calls started, how many saw their cancellation.
// Tools and test wait on it with a condition variable; the deadline only turns a hang into a
// failure.
struct ToolProbe {
  std::mutex mutex;
  std::condition_variable changed;
  int started = 0;
  int cancelled = 0;
  int rendezvous_arrived = 0;

  template <typename Predicate>
  bool wait_until(Predicate predicate) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, test::kReplyDeadline, predicate);
  }
  // Wakes the tool waiting in `context` when its call is cancelled.
  void wake_on_cancel(const ToolContext& context) {
    context.cancellation().on_cancel([this] {
      std::lock_guard lock(mutex);
      changed.notify_all();
    });
  }
};

json text_property(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

json empty_object_schema() {
  return {{"type", "object"}, {"properties", json::object()}, {"additionalProperties", false}};
}

Tool make_tool(std::string name, std::string description, ToolHandler handler) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = tool.name;
  tool.description = std::move(description);
  tool.input_schema = empty_object_schema();
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = std::move(handler);
  return tool;
}

// Registered in reverse name order so that a sorted tools/list is the server's doing.
void add_test_tools(ToolRegistry& registry, ToolProbe& probe) {
  registry.add(make_tool("wait_for_cancel", "Blocks until the call is cancelled.",
                         [&probe](const json&, ToolContext& context) {
                           probe.wake_on_cancel(context);
                           std::unique_lock lock(probe.mutex);
                           ++probe.started;
                           probe.changed.notify_all();
                           probe.changed.wait(lock, [&] { return context.cancelled(); });
                           ++probe.cancelled;
                           probe.changed.notify_all();
                           return ToolResult::error("cancelled");
                         }));
  registry.add(
      make_tool("rendezvous", "Returns once two calls of this tool are running at the same time.",
                [&probe](const json&, ToolContext& context) {
                  probe.wake_on_cancel(context);
                  std::unique_lock lock(probe.mutex);
                  ++probe.started;
                  ++probe.rendezvous_arrived;
                  probe.changed.notify_all();
                  probe.changed.wait(
                      lock, [&] { return probe.rendezvous_arrived >= 2 || context.cancelled(); });
                  if (context.cancelled()) return ToolResult::error("cancelled");
                  return ToolResult::text("met");
                }));
  registry.add(make_tool("progress", "Reports progress three times, then returns.",
                         [](const json&, ToolContext& context) {
                           for (int step = 1; step <= 3; ++step) {
                             context.report_progress(step, 3, "step " + std::to_string(step));
                           }
                           return ToolResult::text("done");
                         }));
  registry.add(make_tool("fail", "Always fails.", [](const json&, ToolContext&) {
    return ToolResult::error("this tool always fails");
  }));
  Tool echo = make_tool("echo", "Returns its text.", [](const json& arguments, ToolContext&) {
    const std::string text = arguments.at("text").get<std::string>();
    return ToolResult::success({{"text", text}}, text);
  });
  echo.input_schema = {{"type", "object"},
                       {"properties", {{"text", text_property("What to echo.")}}},
                       {"required", {"text"}},
                       {"additionalProperties", false}};
  echo.output_schema = {{"type", "object"},
                        {"properties", {{"text", text_property("The echoed text.")}}},
                        {"required", {"text"}}};
  registry.add(std::move(echo));
}

// One server on one in-memory connection, serving on its own thread, and a client on the other
// end. Destruction closes the client's end and joins the serving thread.
class Harness {
 public:
  explicit Harness(size_t max_message_bytes = 16 * 1024 * 1024) : workers_(4) {
    add_test_tools(registry_, probe_);
    ServerIdentity identity;
    identity.name = "benchtop-test";
    identity.version = "9.9.9";
    server_ = std::make_unique<McpServer>(identity, registry_, workers_);
    auto [client_end, server_end] = MemoryConnection::pair(max_message_bytes);
    server_end_ = std::move(server_end);
    client_ = std::make_unique<TestMcpClient>(std::move(client_end));
    serving_ = std::thread([this] { serve_connection(*server_, *server_end_); });
  }
  ~Harness() {
    close_and_join();
    client_.reset();
  }

  TestMcpClient& client() { return *client_; }
  ToolProbe& probe() { return probe_; }
  WorkerPool& workers() { return workers_; }
  // Ends the client's side and waits for serve_connection to return.
  void close_and_join() {
    client_->close();
    if (serving_.joinable()) serving_.join();
  }

 private:
  ToolProbe probe_;
  ToolRegistry registry_;
  WorkerPool workers_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<MemoryConnection> server_end_;
  std::unique_ptr<TestMcpClient> client_;
  std::thread serving_;
};

json tool_call(const std::string& name, json arguments = json::object()) {
  return {{"name", name}, {"arguments", std::move(arguments)}};
}

// --- Tests that run on every protocol revision -------------------------------------------------

struct EraCase {
  const char* label;
  const char* version;
  bool modern;
};

class McpServerEraTest : public ::testing::TestWithParam<EraCase> {
 protected:
  void SetUp() override {
    if (GetParam().modern) {
      client().use_modern(GetParam().version);
    } else {
      auto reply = client().initialize(GetParam().version);
      ASSERT_EQ(reply.response["result"]["protocolVersion"], GetParam().version);
    }
  }
  bool modern() const { return GetParam().modern; }
  TestMcpClient& client() { return harness_.client(); }
  ToolProbe& probe() { return harness_.probe(); }

  // A request every revision answers with a result, to show the server is still serving.
  void expect_alive() {
    json response = client().request("server/discover").response;
    EXPECT_TRUE(response.contains("result")) << response;
  }

  // Checks the era-specific decoration of a result: present exactly on modern requests.
  void expect_decoration(const json& result, bool cacheable) {
    if (modern()) {
      EXPECT_EQ(result.value("resultType", ""), "complete") << result;
      ASSERT_TRUE(result.contains("_meta")) << result;
      EXPECT_EQ(result["_meta"][kMetaServerInfo]["name"], "benchtop-test");
      EXPECT_EQ(result["_meta"][kMetaServerInfo]["version"], "9.9.9");
      EXPECT_EQ(result.contains("ttlMs"), cacheable) << result;
      EXPECT_EQ(result.contains("cacheScope"), cacheable) << result;
    } else {
      EXPECT_FALSE(result.contains("resultType")) << result;
      EXPECT_FALSE(result.contains("_meta")) << result;
      EXPECT_FALSE(result.contains("ttlMs")) << result;
      EXPECT_FALSE(result.contains("cacheScope")) << result;
    }
  }

  Harness harness_;
};

TEST_P(McpServerEraTest, PingExistsOnlyInTheLegacyRevisions) {
  json response = client().request("ping").response;
  if (modern()) {
    // 2026-07-28 removed ping.
    EXPECT_EQ(response["error"]["code"], jsonrpc::kMethodNotFound) << response;
  } else {
    EXPECT_EQ(response["result"], json::object()) << response;
  }
}

TEST_P(McpServerEraTest, ServerDiscoverDescribesTheServer) {
  json result = client().request("server/discover").response["result"];
  EXPECT_EQ(result["supportedVersions"],
            (json{"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"}));
  EXPECT_TRUE(result["capabilities"].contains("tools")) << result;
  expect_decoration(result, true);
  if (modern()) {
    EXPECT_GT(result["ttlMs"].get<int64_t>(), 0);
    EXPECT_TRUE(result["cacheScope"] == "public" || result["cacheScope"] == "private");
  }
}

TEST_P(McpServerEraTest, ToolsListIsInNameOrderAndStable) {
  json first = client().request("tools/list").response["result"];
  ASSERT_TRUE(first["tools"].is_array()) << first;
  std::vector<std::string> names;
  for (const auto& tool : first["tools"]) names.push_back(tool["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"echo", "fail", "progress", "rendezvous",
                                             "wait_for_cancel"}));
  const json& echo = first["tools"][0];
  EXPECT_EQ(echo["inputSchema"]["required"], json{"text"});
  EXPECT_TRUE(echo.contains("outputSchema"));
  EXPECT_EQ(echo["annotations"].value("readOnlyHint", false), true);
  expect_decoration(first, true);

  json second = client().request("tools/list").response["result"];
  EXPECT_EQ(first["tools"], second["tools"]);
}

TEST_P(McpServerEraTest, ToolsListWithACursorIsInvalidParams) {
  json response = client().request("tools/list", {{"cursor", "abc"}}).response;
  EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidParams) << response;
}

TEST_P(McpServerEraTest, ToolCallReturnsContentAndStructuredContent) {
  json result =
      client().request("tools/call", tool_call("echo", {{"text", "hello"}})).response["result"];
  ASSERT_TRUE(result.is_object()) << result;
  EXPECT_EQ(result["content"], (json{{{"type", "text"}, {"text", "hello"}}}));
  EXPECT_EQ(result["structuredContent"], (json{{"text", "hello"}}));
  EXPECT_FALSE(result.contains("isError"));
  expect_decoration(result, false);
}

TEST_P(McpServerEraTest, ToolFailureIsAnErrorResultNotAProtocolError) {
  json response = client().request("tools/call", tool_call("fail")).response;
  ASSERT_TRUE(response.contains("result")) << response;
  EXPECT_EQ(response["result"]["isError"], true);
  EXPECT_EQ(response["result"]["content"][0]["text"], "this tool always fails");
  expect_decoration(response["result"], false);
}

TEST_P(McpServerEraTest, UnknownToolIsInvalidParams) {
  json response = client().request("tools/call", tool_call("no_such_tool")).response;
  EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidParams) << response;
  EXPECT_NE(response["error"]["message"].get<std::string>().find("no_such_tool"),
            std::string::npos);
}

TEST_P(McpServerEraTest, ToolCallWithoutAStringNameIsInvalidParams) {
  for (json params : {json::object(), json{{"name", 5}}, json{{"name", nullptr}}}) {
    json response = client().request("tools/call", params).response;
    EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidParams) << params;
  }
}

TEST_P(McpServerEraTest, NonObjectArgumentsAreInvalidParams) {
  for (json arguments : {json::array({1}), json("text"), json(3), json(true)}) {
    json response = client().request("tools/call", tool_call("echo", arguments)).response;
    EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidParams) << arguments;
  }
}

TEST_P(McpServerEraTest, MissingArgumentsMeanAnEmptyObject) {
  json response = client().request("tools/call", {{"name", "fail"}}).response;
  EXPECT_EQ(response["result"]["isError"], true) << response;
}

TEST_P(McpServerEraTest, UnknownMethodIsMethodNotFound) {
  json response = client().request("nothing/here").response;
  EXPECT_EQ(response["error"]["code"], jsonrpc::kMethodNotFound) << response;
}

TEST_P(McpServerEraTest, StringAndIntegerIdsAreEchoed) {
  EXPECT_EQ(client().request_with_id("req-α", "ping").response["id"], "req-α");
  EXPECT_EQ(client().request_with_id(-7, "ping").response["id"], -7);
}

TEST_P(McpServerEraTest, CancelledCallIsStoppedAndNeverAnswered) {
  const json id = "to-cancel";
  client().send_request(id, "tools/call", tool_call("wait_for_cancel"));
  ASSERT_TRUE(probe().wait_until([&] { return probe().started == 1; }));

  client().notify("notifications/cancelled", {{"requestId", id}, {"reason", "test"}});
  ASSERT_TRUE(probe().wait_until([&] { return probe().cancelled == 1; }));
  // Once the worker is idle, the cancelled call has made its decision to answer or not...
  harness_.workers().wait_idle();
  // ...so if it had answered, its response would come before this one's.
  client().send_request("after", "server/discover");
  std::optional<json> next = client().next_message();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ((*next)["id"], "after") << *next;
}

TEST_P(McpServerEraTest, CancellingAnUnknownRequestIsIgnored) {
  client().notify("notifications/cancelled", {{"requestId", 12345}});
  client().notify("notifications/cancelled", json::object());
  client().notify("notifications/cancelled");
  expect_alive();
}

TEST_P(McpServerEraTest, ProgressNotificationsPrecedeTheResponse) {
  for (json token : {json("progress-1"), json(42)}) {
    json params = tool_call("progress");
    params["_meta"]["progressToken"] = token;
    TestMcpClient::Reply reply = client().request("tools/call", params);
    EXPECT_EQ(reply.response["result"]["content"][0]["text"], "done") << reply.response;
    ASSERT_EQ(reply.notifications.size(), 3u);
    double last = 0;
    for (const json& notification : reply.notifications) {
      EXPECT_EQ(notification["method"], "notifications/progress");
      EXPECT_EQ(notification["params"]["progressToken"], token);
      EXPECT_EQ(notification["params"]["total"], 3);
      const double progress = notification["params"]["progress"].get<double>();
      EXPECT_GT(progress, last);
      last = progress;
    }
  }
}

TEST_P(McpServerEraTest, NoProgressWithoutAProgressToken) {
  TestMcpClient::Reply reply = client().request("tools/call", tool_call("progress"));
  EXPECT_EQ(reply.response["result"]["content"][0]["text"], "done");
  EXPECT_TRUE(reply.notifications.empty());
}

TEST_P(McpServerEraTest, ToolCallsRunInParallel) {
  // Each rendezvous call returns only once both are running: they cannot finish one after the
  // other.
  client().send_request(1001, "tools/call", tool_call("rendezvous"));
  client().send_request(1002, "tools/call", tool_call("rendezvous"));
  EXPECT_EQ(client().await(1002).response["result"]["content"][0]["text"], "met");
  EXPECT_EQ(client().await(1001).response["result"]["content"][0]["text"], "met");
}

TEST_P(McpServerEraTest, ReadingContinuesWhileAToolRuns) {
  client().send_request("slow", "tools/call", tool_call("wait_for_cancel"));
  ASSERT_TRUE(probe().wait_until([&] { return probe().started == 1; }));
  expect_alive();
  client().notify("notifications/cancelled", {{"requestId", "slow"}});
  ASSERT_TRUE(probe().wait_until([&] { return probe().cancelled == 1; }));
}

TEST_P(McpServerEraTest, DuplicateIdInFlightIsRefused) {
  client().send_request(77, "tools/call", tool_call("wait_for_cancel"));
  ASSERT_TRUE(probe().wait_until([&] { return probe().started == 1; }));
  json response =
      client().request_with_id(77, "tools/call", tool_call("echo", {{"text", "x"}})).response;
  EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidRequest) << response;
  client().notify("notifications/cancelled", {{"requestId", 77}});
  ASSERT_TRUE(probe().wait_until([&] { return probe().cancelled == 1; }));
}

TEST_P(McpServerEraTest, ClosingTheConnectionCancelsRunningCalls) {
  client().send_request(1, "tools/call", tool_call("wait_for_cancel"));
  client().send_request(2, "tools/call", tool_call("wait_for_cancel"));
  ASSERT_TRUE(probe().wait_until([&] { return probe().started == 2; }));
  harness_.close_and_join();  // returns only once serve_connection has
  std::lock_guard lock(probe().mutex);
  EXPECT_EQ(probe().cancelled, 2);
}

INSTANTIATE_TEST_SUITE_P(Eras, McpServerEraTest,
                         ::testing::Values(EraCase{"Legacy_2025_03_26", "2025-03-26", false},
                                           EraCase{"Legacy_2025_06_18", "2025-06-18", false},
                                           EraCase{"Legacy_2025_11_25", "2025-11-25", false},
                                           EraCase{"Modern_2026_07_28", "2026-07-28", true}),
                         [](const ::testing::TestParamInfo<EraCase>& info) {
                           return std::string(info.param.label);
                         });

// --- Version negotiation and the lifecycle ------------------------------------------------------

TEST(McpServerLifecycle, KnownLegacyVersionsAreEchoed) {
  for (const char* version : {"2025-03-26", "2025-06-18", "2025-11-25"}) {
    Harness harness;
    json result = harness.client().initialize(version).response["result"];
    EXPECT_EQ(result["protocolVersion"], version);
  }
}

TEST(McpServerLifecycle, UnknownVersionInInitializeGetsTheNewestLegacyVersion) {
  // 2026-07-28 has no handshake, so initialize cannot select it either.
  for (const char* version : {"2024-11-05", "1999-01-01", "2099-12-31", "2026-07-28", ""}) {
    Harness harness;
    json result = harness.client().initialize(version).response["result"];
    EXPECT_EQ(result["protocolVersion"], "2025-11-25") << version;
  }
}

TEST(McpServerLifecycle, InitializeResultDescribesTheServer) {
  Harness harness;
  json result = harness.client().initialize("2025-06-18").response["result"];
  EXPECT_TRUE(result["capabilities"].contains("tools")) << result;
  EXPECT_EQ(result["serverInfo"]["name"], "benchtop-test");
  EXPECT_EQ(result["serverInfo"]["version"], "9.9.9");
  EXPECT_FALSE(result.contains("resultType"));
  EXPECT_FALSE(result.contains("_meta"));
}

TEST(McpServerLifecycle, InitializeWithoutAProtocolVersionIsInvalidParams) {
  Harness harness;
  for (json params : {json::object(), json{{"protocolVersion", 20250618}}}) {
    json response = harness.client().request("initialize", params).response;
    EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidParams) << params;
  }
}

TEST(McpServerLifecycle, RequestsBeforeAHandshakeOrMetaAreInvalidParams) {
  Harness harness;
  for (const char* method : {"tools/list", "tools/call", "nothing/here"}) {
    json response = harness.client().request(method, tool_call("echo", {{"text", "x"}})).response;
    EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidParams) << method;
  }
  // ping is allowed before initialization.
  EXPECT_TRUE(harness.client().request("ping").response.contains("result"));
}

TEST(McpServerLifecycle, A2025VersionInMetaWithoutAHandshakeAsksForInitialize) {
  Harness harness;
  json params = {{"_meta", {{kMetaVersion, "2025-06-18"}, {kMetaCapabilities, json::object()}}}};
  json response = harness.client().request("tools/list", params).response;
  EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidRequest) << response;
  const std::string message = response["error"]["message"];
  EXPECT_NE(message.find("initialize"), std::string::npos) << message;
  EXPECT_NE(message.find("2025-06-18"), std::string::npos) << message;
  EXPECT_EQ(message.find("Missing"), std::string::npos) << message;
}

TEST(McpServerLifecycle, UnsupportedModernVersionNamesTheSupportedOnes) {
  Harness harness;
  for (json requested : {json("1900-01-01"), json("2026-07-29"), json(20260728)}) {
    json params = {{"_meta", {{kMetaVersion, requested}, {kMetaCapabilities, json::object()}}}};
    json response = harness.client().request("tools/list", params).response;
    EXPECT_EQ(response["error"]["code"], mcp::kUnsupportedProtocolVersion) << response;
    EXPECT_EQ(response["error"]["data"]["requested"], requested);
    EXPECT_EQ(response["error"]["data"]["supported"],
              (json{"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"}));
  }
}

TEST(McpServerLifecycle, ModernRequestWithoutClientCapabilitiesIsInvalidParams) {
  Harness harness;
  for (json meta : {json{{kMetaVersion, "2026-07-28"}},
                    json{{kMetaVersion, "2026-07-28"}, {kMetaCapabilities, "none"}}}) {
    json response = harness.client().request("tools/list", {{"_meta", meta}}).response;
    EXPECT_EQ(response["error"]["code"], jsonrpc::kInvalidParams) << response;
    EXPECT_NE(response["error"]["message"].get<std::string>().find(kMetaCapabilities),
              std::string::npos);
  }
}

TEST(McpServerLifecycle, ModernRequestsNeedNoHandshake) {
  Harness harness;
  harness.client().use_modern();
  json result = harness.client().request("tools/list").response["result"];
  EXPECT_EQ(result["tools"].size(), 5u) << result;
}

TEST(McpServerLifecycle, ModernRequestOnALegacySessionIsServedAsModern) {
  Harness harness;
  harness.client().initialize("2025-11-25");
  EXPECT_FALSE(harness.client().request("tools/list").response["result"].contains("resultType"));
  harness.client().use_modern();
  EXPECT_EQ(harness.client().request("tools/list").response["result"]["resultType"], "complete");
}

TEST(McpServerLifecycle, HandshakeOnlyMethodsAreUnknownToModernRequests) {
  Harness harness;
  harness.client().use_modern();
  for (const char* method : {"initialize", "ping", "logging/setLevel"}) {
    json response = harness.client().request(method, {{"protocolVersion", "2025-11-25"}}).response;
    EXPECT_EQ(response["error"]["code"], jsonrpc::kMethodNotFound) << method << response;
  }
}

// --- Malformed input over the connection --------------------------------------------------------

TEST(McpServerMessages, NotJsonIsAParseErrorAndTheServerCarriesOn) {
  Harness harness;
  harness.client().send_text("this is not json");
  std::optional<json> error = harness.client().next_message();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["error"]["code"], jsonrpc::kParseError);
  // JSON-RPC 2.0: the answer to an unreadable message carries "id": null.
  ASSERT_TRUE(error->contains("id")) << *error;
  EXPECT_TRUE((*error)["id"].is_null()) << *error;
  EXPECT_TRUE(harness.client().request("ping").response.contains("result"));
}

TEST(McpServerMessages, InvalidRequestErrorNamesTheId) {
  Harness harness;
  harness.client().send_text(R"({"jsonrpc":"1.0","id":"x","method":"ping"})");
  std::optional<json> error = harness.client().next_message();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["error"]["code"], jsonrpc::kInvalidRequest);
  EXPECT_EQ((*error)["id"], "x");
}

TEST(McpServerMessages, OversizedMessageIsRefusedAndTheServerCarriesOn) {
  Harness harness(/*max_message_bytes=*/1024);
  harness.client().send_text(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" +
                             std::string(2000, 'x') + "\"}}");
  std::optional<json> error = harness.client().next_message();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["error"]["code"], jsonrpc::kInvalidRequest);
  EXPECT_NE((*error)["error"]["message"].get<std::string>().find("1024"), std::string::npos);
  EXPECT_TRUE(harness.client().request("ping").response.contains("result"));
}

TEST(McpServerMessages, DeeplyNestedMessageIsRefused) {
  Harness harness;
  std::string nested;
  for (int i = 0; i < 100000; ++i) nested += "{\"a\":";
  nested += "1" + std::string(100000, '}');
  harness.client().send_text(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":)" + nested + "}");
  std::optional<json> error = harness.client().next_message();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ((*error)["error"]["code"], jsonrpc::kParseError);
  EXPECT_TRUE(harness.client().request("ping").response.contains("result"));
}

TEST(McpServerMessages, ClientResponsesAndUnknownNotificationsGetNoAnswer) {
  Harness harness;
  harness.client().send(jsonrpc::make_result(99, json::object()));
  harness.client().send(jsonrpc::make_error(98, jsonrpc::kInternalError, "x"));
  harness.client().notify("notifications/something_new", {{"a", 1}});
  harness.client().notify("notifications/initialized");
  harness.client().send_request("p", "ping");
  std::optional<json> next = harness.client().next_message();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ((*next)["id"], "p") << *next;
}

TEST(McpServerMessages, ServeConnectionReturnsAtEndOfStreamWhenIdle) {
  Harness harness;
  harness.close_and_join();
}

}  // namespace
}  // namespace benchtop
