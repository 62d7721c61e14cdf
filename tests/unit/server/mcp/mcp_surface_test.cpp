// Protocol tests for the MCP surface beyond tools: resources, prompts, completion, logging and
// server-to-client requests, over the in-memory pair, on a 2025 revision (initialize) and on
// 2026-07-28 (per-request _meta).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "server/mcp/connection_server.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/protocol.h"
#include "server/mcp/registry/prompt_registry.h"
#include "server/mcp/registry/resource_registry.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/workers/worker_pool.h"
#include "tests/support/test_mcp_client.h"
#include "transport/memory_connection.h"

namespace benchtop {
namespace {

using nlohmann::json;
using test::TestMcpClient;

Tool make_tool(std::string name, ToolHandler handler) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = tool.name;
  tool.description = "A test tool.";
  tool.input_schema = {{"type", "object"}, {"properties", json::object()}};
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = std::move(handler);
  return tool;
}

json name_schema() {
  return {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}};
}

void add_tools(ToolRegistry& tools) {
  tools.add(make_tool("log_three", [](const json&, ToolContext& context) {
    context.log("debug", "a debug line");
    context.log("info", "an info line");
    context.log("warning", {{"detail", "a warning"}}, "tests");
    return ToolResult::text("logged");
  }));
  tools.add(make_tool("ask_name", [](const json&, ToolContext& context) {
    auto answer = context.elicit("What is your name?", name_schema(), "name");
    if (!answer) return ToolResult::error(answer.error().code + ": " + answer.error().message);
    return ToolResult::text("answer " + answer->dump());
  }));
  tools.add(make_tool("ask_twice", [](const json&, ToolContext& context) {
    auto first = context.elicit("First?", name_schema(), "first");
    if (!first) return ToolResult::error(first.error().message);
    auto second = context.elicit("Second?", name_schema(), "second");
    if (!second) return ToolResult::error(second.error().message);
    return ToolResult::text(first->at("content").value("name", "") + "+" +
                            second->at("content").value("name", ""));
  }));
  tools.add(make_tool("task_only",
                      [](const json&, ToolContext&) { return ToolResult::text("ran as a task"); }));
  tools.add(make_tool("sample", [](const json&, ToolContext& context) {
    auto answer = context.create_message({{"messages", json::array()}, {"maxTokens", 5}});
    if (!answer) return ToolResult::error(answer.error().code);
    return ToolResult::text("sampled");
  }));
}

// The change callbacks the server asked the items template for, by URI (what a file watcher would
// call), and how many times each URI was watched.
class Watches {
 public:
  void add(const std::string& uri, std::function<void()> changed) {
    std::lock_guard lock(mutex_);
    callbacks_[uri] = std::move(changed);
    ++counts_[uri];
  }
  int count(const std::string& uri) {
    std::lock_guard lock(mutex_);
    return counts_[uri];
  }
  // Reports a change of `uri`, as the watcher's thread would.
  void change(const std::string& uri) {
    std::function<void()> callback;
    {
      std::lock_guard lock(mutex_);
      callback = callbacks_[uri];
    }
    ASSERT_TRUE(callback) << uri << " is not watched";
    callback();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::function<void()>> callbacks_;
  std::map<std::string, int> counts_;
};

void add_resources(ResourceRegistry& resources, Watches& watches) {
  Resource note;
  note.uri = "mem://note";
  note.name = "note";
  note.mime_type = "text/plain";
  note.read = [](const std::string& uri, ToolContext&) -> Result<json> {
    return json::array({{{"uri", uri}, {"mimeType", "text/plain"}, {"text", "hello"}}});
  };
  resources.add(std::move(note));
  ResourceTemplate items;
  items.uri_template = "mem://items/{id}";
  items.name = "item";
  items.read = [](const std::string& uri, const std::map<std::string, std::string>& variables,
                  ToolContext&) -> Result<json> {
    if (variables.at("id") == "missing") return Error::make("no such item", kResourceNotFound);
    return json::array({{{"uri", uri}, {"text", "item " + variables.at("id")}}});
  };
  items.complete = [](const std::string& argument, const std::string& value,
                      const std::map<std::string, std::string>&) {
    std::vector<std::string> out;
    for (std::string id : {"apple", "apricot", "banana"}) {
      if (argument == "id" && id.rfind(value, 0) == 0) out.push_back(id);
    }
    return out;
  };
  items.watch = [&watches](const std::string& uri, const std::map<std::string, std::string>&,
                           std::function<void()> changed) -> Status {
    watches.add(uri, std::move(changed));
    return {};
  };
  resources.add_template(std::move(items));
}

void add_prompts(PromptRegistry& prompts) {
  Prompt greet;
  greet.name = "greet";
  greet.description = "Greets someone.";
  greet.arguments = {{"who", "Whom to greet", true}};
  greet.get = [](const std::map<std::string, std::string>& arguments,
                 ToolContext&) -> Result<json> {
    return json{{"messages",
                 {{{"role", "user"},
                   {"content", {{"type", "text"}, {"text", "Hi " + arguments.at("who")}}}}}}};
  };
  greet.complete = [](const std::string&, const std::string& value,
                      const std::map<std::string, std::string>&) {
    return value == "al" ? std::vector<std::string>{"alice", "alan"} : std::vector<std::string>{};
  };
  prompts.add(std::move(greet));
  Prompt ask;
  ask.name = "ask";
  ask.description = "Asks the user first.";
  ask.get = [](const std::map<std::string, std::string>&, ToolContext& context) -> Result<json> {
    auto answer = context.elicit("Topic?", name_schema(), "topic");
    if (!answer) return answer.error();
    return json{{"messages", json::array()}};
  };
  prompts.add(std::move(ask));
}

class Harness {
 public:
  Harness() : workers_(4) {
    add_tools(tools_);
    add_resources(resources_, watches_);
    add_prompts(prompts_);
    server_ = std::make_unique<McpServer>(ServerIdentity{"surface-test", "", "1.0", "", {}}, tools_,
                                          resources_, prompts_, workers_);
    server_->set_client_request_timeout(test::kReplyDeadline);
    server_->set_task_support("ask_name", TaskSupport::kOptional);
    server_->set_task_support("task_only", TaskSupport::kRequired);
    auto [client_end, server_end] = MemoryConnection::pair(1 << 20);
    server_end_ = std::move(server_end);
    client_ = std::make_unique<TestMcpClient>(std::move(client_end));
    serving_ = std::thread([this] { serve_connection(*server_, *server_end_); });
  }
  ~Harness() {
    client_->close();
    serving_.join();
    client_.reset();
  }
  TestMcpClient& client() { return *client_; }
  McpServer& server() { return *server_; }
  Watches& watches() { return watches_; }

 private:
  Watches watches_;
  ToolRegistry tools_;
  ResourceRegistry resources_;
  PromptRegistry prompts_;
  WorkerPool workers_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<MemoryConnection> server_end_;
  std::unique_ptr<TestMcpClient> client_;
  std::thread serving_;
};

json call(const std::string& tool) {
  return {{"name", tool}, {"arguments", json::object()}};
}

// Both eras: the 2025 handshake, or 2026-07-28 _meta on every request.
class SurfaceEraTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (modern()) {
      harness_.client().use_modern();
    } else {
      harness_.client().initialize("2025-11-25");
    }
  }
  bool modern() const { return GetParam(); }
  TestMcpClient& client() { return harness_.client(); }
  Harness harness_;
};

INSTANTIATE_TEST_SUITE_P(Eras, SurfaceEraTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Modern" : "Legacy"; });

TEST_P(SurfaceEraTest, ListsAndReadsResourcesAndTemplates) {
  json list = client().request("resources/list").response["result"];
  ASSERT_EQ(list["resources"].size(), 1u) << list;
  EXPECT_EQ(list["resources"][0]["uri"], "mem://note");
  EXPECT_EQ(list["resources"][0]["name"], "note");
  json templates = client().request("resources/templates/list").response["result"];
  EXPECT_EQ(templates["resourceTemplates"][0]["uriTemplate"], "mem://items/{id}") << templates;

  json note = client().request("resources/read", {{"uri", "mem://note"}}).response["result"];
  EXPECT_EQ(note["contents"][0]["text"], "hello") << note;
  json item = client().request("resources/read", {{"uri", "mem://items/42"}}).response["result"];
  EXPECT_EQ(item["contents"][0]["text"], "item 42") << item;
  if (modern()) {
    EXPECT_EQ(note["resultType"], "complete");
    EXPECT_TRUE(note["ttlMs"].is_number_integer()) << note;
    EXPECT_TRUE(templates.contains("cacheScope")) << templates;
    // Resource contents and the resource list are the user's data: never for a shared cache,
    // and contents are stale at once (tools change the files they come from).
    for (const json& read : {note, item}) {
      EXPECT_EQ(read["cacheScope"], "private") << read;
      EXPECT_EQ(read["ttlMs"], 0) << read;
    }
    EXPECT_EQ(list["cacheScope"], "private") << list;
    EXPECT_EQ(templates["cacheScope"], "public") << templates;
  } else {
    EXPECT_FALSE(note.contains("resultType"));
  }
}

TEST_P(SurfaceEraTest, UnknownResourceIsNotFoundWithItsUri) {
  for (const char* uri : {"mem://nothing", "mem://items/missing"}) {
    json response = client().request("resources/read", {{"uri", uri}}).response;
    ASSERT_TRUE(response.contains("error")) << response;
    EXPECT_EQ(response["error"]["code"], modern() ? -32602 : -32002) << response;
    EXPECT_EQ(response["error"]["data"]["uri"], uri);
  }
}

TEST_P(SurfaceEraTest, PromptsListAndGetWithArguments) {
  json list = client().request("prompts/list").response["result"];
  ASSERT_EQ(list["prompts"].size(), 2u) << list;
  EXPECT_EQ(list["prompts"][1]["name"], "greet");
  EXPECT_EQ(list["prompts"][1]["arguments"][0]["name"], "who");
  EXPECT_EQ(list["prompts"][1]["arguments"][0]["required"], true);

  json got = client()
                 .request("prompts/get", {{"name", "greet"}, {"arguments", {{"who", "Ada"}}}})
                 .response["result"];
  EXPECT_EQ(got["messages"][0]["content"]["text"], "Hi Ada") << got;

  json missing = client().request("prompts/get", {{"name", "greet"}}).response;
  EXPECT_EQ(missing["error"]["code"], -32602) << missing;
  json unknown = client().request("prompts/get", {{"name", "nope"}}).response;
  EXPECT_EQ(unknown["error"]["code"], -32602) << unknown;
}

TEST_P(SurfaceEraTest, CompletesPromptArgumentsAndTemplateVariables) {
  json prompt =
      client()
          .request("completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "greet"}}},
                                           {"argument", {{"name", "who"}, {"value", "al"}}}})
          .response["result"];
  EXPECT_EQ(prompt["completion"]["values"], json({"alice", "alan"})) << prompt;
  EXPECT_EQ(prompt["completion"]["total"], 2);
  json resource = client()
                      .request("completion/complete",
                               {{"ref", {{"type", "ref/resource"}, {"uri", "mem://items/{id}"}}},
                                {"argument", {{"name", "id"}, {"value", "ap"}}}})
                      .response["result"];
  EXPECT_EQ(resource["completion"]["values"], json({"apple", "apricot"})) << resource;
  json unknown =
      client()
          .request("completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "nope"}}},
                                           {"argument", {{"name", "x"}, {"value", ""}}}})
          .response;
  EXPECT_EQ(unknown["error"]["code"], -32602) << unknown;
}

TEST_P(SurfaceEraTest, CapabilitiesNameWhatIsImplemented) {
  json capabilities;
  if (modern()) {
    capabilities = client().request("server/discover").response["result"]["capabilities"];
  } else {
    capabilities = client().initialize("2025-11-25").response["result"]["capabilities"];
  }
  // resources/subscribe in 2025, subscriptions/listen in 2026-07-28.
  EXPECT_EQ(capabilities["resources"]["subscribe"], true) << capabilities;
  for (const char* name : {"tools", "resources", "prompts", "completions", "logging"}) {
    EXPECT_TRUE(capabilities.contains(name)) << name << " " << capabilities;
  }
}

std::vector<json> log_messages(const TestMcpClient::Reply& reply) {
  std::vector<json> out;
  for (const auto& note : reply.notifications) {
    if (note.value("method", "") == "notifications/message") out.push_back(note["params"]);
  }
  return out;
}

TEST(SurfaceLegacy, LogLevelFiltersToolLogMessages) {
  Harness harness;
  auto& client = harness.client();
  client.initialize("2025-06-18");
  auto by_default = log_messages(client.request("tools/call", call("log_three")));
  ASSERT_EQ(by_default.size(), 2u);  // info and warning: "info" until the client sets a level
  EXPECT_EQ(by_default[0]["level"], "info");
  EXPECT_EQ(by_default[1]["logger"], "tests");
  EXPECT_EQ(by_default[1]["data"]["detail"], "a warning");

  EXPECT_EQ(client.request("logging/setLevel", {{"level", "warning"}}).response["result"],
            json::object());
  auto warnings = log_messages(client.request("tools/call", call("log_three")));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0]["level"], "warning");

  client.request("logging/setLevel", {{"level", "debug"}});
  EXPECT_EQ(log_messages(client.request("tools/call", call("log_three"))).size(), 3u);
  json bad = client.request("logging/setLevel", {{"level", "loud"}}).response;
  EXPECT_EQ(bad["error"]["code"], -32602) << bad;
}

TEST(SurfaceModern, LogsOnlyAtTheLevelTheRequestAsksFor) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  EXPECT_TRUE(log_messages(client.request("tools/call", call("log_three"))).empty());
  json params = call("log_three");
  params["_meta"]["io.modelcontextprotocol/logLevel"] = "info";
  EXPECT_EQ(log_messages(client.request("tools/call", params)).size(), 2u);
  json removed = client.request("logging/setLevel", {{"level", "info"}}).response;
  EXPECT_EQ(removed["error"]["code"], -32601) << removed;
}

TEST(SurfaceLegacy, SubscribeAndUnsubscribeAnswerEmptyResults) {
  Harness harness;
  harness.client().initialize("2025-11-25");
  EXPECT_EQ(
      harness.client().request("resources/subscribe", {{"uri", "mem://note"}}).response["result"],
      json::object());
  EXPECT_EQ(
      harness.client().request("resources/unsubscribe", {{"uri", "mem://note"}}).response["result"],
      json::object());
  json missing = harness.client().request("resources/subscribe").response;
  EXPECT_EQ(missing["error"]["code"], -32602);
}

TEST(SurfaceLegacy, AToolListChangeReachesEveryInitializedSession) {
  Harness harness;
  auto& client = harness.client();
  json capabilities = client.initialize("2025-11-25").response["result"]["capabilities"];
  EXPECT_EQ(capabilities["tools"]["listChanged"], true) << capabilities;
  harness.server().notify_list_changed("tools");
  std::optional<json> changed = client.next_message();
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->value("method", ""), "notifications/tools/list_changed") << *changed;
}

TEST(SurfaceLegacy, ASubscribedResourceThatChangesIsReportedUntilUnsubscribed) {
  Harness harness;
  auto& client = harness.client();
  client.initialize("2025-11-25");
  const std::string uri = "mem://items/apple";
  ASSERT_TRUE(client.request("resources/subscribe", {{"uri", uri}}).response.contains("result"));
  ASSERT_TRUE(client.request("resources/subscribe", {{"uri", uri}}).response.contains("result"));
  EXPECT_EQ(harness.watches().count(uri), 1) << "one watch per URI";

  harness.watches().change(uri);
  std::optional<json> updated = client.next_message();
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->value("method", ""), "notifications/resources/updated") << *updated;
  EXPECT_EQ((*updated)["params"], (json{{"uri", uri}})) << *updated;

  ASSERT_TRUE(client.request("resources/unsubscribe", {{"uri", uri}}).response.contains("result"));
  harness.watches().change(uri);
  // Had the change been reported, its notification would come before this answer.
  client.send_request("after", "ping");
  std::optional<json> next = client.next_message();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->value("id", json()), "after") << *next;
}

TEST(SurfaceModern, ListenWatchesTheResourcesItNames) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  const std::string uri = "mem://items/banana";
  client.send_request("sub", "subscriptions/listen",
                      {{"notifications", {{"resourceSubscriptions", {uri}}}}});
  std::optional<json> ack = client.next_message();
  ASSERT_TRUE(ack);
  ASSERT_EQ(harness.watches().count(uri), 1);
  harness.watches().change(uri);
  std::optional<json> updated = client.next_message();
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->value("method", ""), "notifications/resources/updated") << *updated;
  EXPECT_EQ((*updated)["params"]["uri"], uri);
  EXPECT_EQ((*updated)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "sub");
  client.notify("notifications/cancelled", {{"requestId", "sub"}});
}

TEST(SurfaceModern, SubscribeIsNotPartOfTheModernRevision) {
  Harness harness;
  harness.client().use_modern();
  json response = harness.client().request("resources/subscribe", {{"uri", "mem://note"}}).response;
  EXPECT_EQ(response["error"]["code"], -32601) << response;
}

TEST(SurfaceModern, ListenAcknowledgesThenDeliversOnlyWhatTheFilterAsksFor) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  client.send_request("sub", "subscriptions/listen",
                      {{"notifications",
                        {{"resourceSubscriptions", {"mem://note"}},
                         {"toolsListChanged", true},
                         {"somethingElse", true}}}});
  std::optional<json> ack = client.next_message();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->value("method", ""), "notifications/subscriptions/acknowledged") << *ack;
  EXPECT_EQ((*ack)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "sub");
  EXPECT_EQ((*ack)["params"]["notifications"],
            (json{{"resourceSubscriptions", {"mem://note"}}, {"toolsListChanged", true}}));

  harness.server().notify_resource_updated("mem://other");  // not subscribed: nothing
  harness.server().notify_list_changed("prompts");          // not asked for: nothing
  harness.server().notify_resource_updated("mem://note");
  harness.server().notify_list_changed("tools");
  std::optional<json> updated = client.next_message();
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->value("method", ""), "notifications/resources/updated") << *updated;
  EXPECT_EQ((*updated)["params"]["uri"], "mem://note");
  EXPECT_EQ((*updated)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "sub");
  std::optional<json> changed = client.next_message();
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->value("method", ""), "notifications/tools/list_changed") << *changed;

  // Cancelling ends the subscription without a response; later changes are not delivered.
  client.notify("notifications/cancelled", {{"requestId", "sub"}});
  harness.server().notify_list_changed("tools");
  json ping = client.request("server/discover").response;
  EXPECT_TRUE(ping.contains("result")) << ping;
}

TEST(SurfaceModern, ShutdownEndsSubscriptionsWithACompletionResult) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  client.send_request("sub", "subscriptions/listen",
                      {{"notifications", {{"toolsListChanged", true}}}});
  std::optional<json> ack = client.next_message();
  ASSERT_TRUE(ack);
  harness.server().close_subscriptions();
  json done = client.await("sub").response;
  EXPECT_EQ(done["result"]["resultType"], "complete") << done;
  EXPECT_EQ(done["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "sub");
}

TEST(SurfaceLegacy, ListenIsNotPartOfThe2025Revisions) {
  Harness harness;
  harness.client().initialize("2025-11-25");
  json response =
      harness.client()
          .request("subscriptions/listen", {{"notifications", {{"toolsListChanged", true}}}})
          .response;
  EXPECT_EQ(response["error"]["code"], -32601) << response;
}

TEST(SurfaceLegacy, ElicitationTravelsToTheClientAndItsAnswerBack) {
  Harness harness;
  auto& client = harness.client();
  client.initialize("2025-11-25", {{"elicitation", json::object()}});
  const json id = client.next_id();
  client.send_request(id, "tools/call", call("ask_name"));
  std::optional<json> ask = client.next_message();
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->value("method", ""), "elicitation/create") << *ask;
  EXPECT_EQ((*ask)["params"]["message"], "What is your name?");
  EXPECT_EQ((*ask)["params"]["requestedSchema"], name_schema());
  client.send(
      jsonrpc::make_result((*ask)["id"], {{"action", "accept"}, {"content", {{"name", "Ada"}}}}));
  json result = client.await(id).response["result"];
  EXPECT_FALSE(result.value("isError", false)) << result;
  EXPECT_NE(result.dump().find("Ada"), std::string::npos) << result;
}

TEST(SurfaceLegacy, ClientErrorReachesTheHandler) {
  Harness harness;
  auto& client = harness.client();
  client.initialize("2025-11-25", {{"elicitation", json::object()}});
  const json id = client.next_id();
  client.send_request(id, "tools/call", call("ask_name"));
  std::optional<json> ask = client.next_message();
  ASSERT_TRUE(ask);
  client.send(jsonrpc::make_error((*ask)["id"], -32600, "user is away"));
  json result = client.await(id).response["result"];
  EXPECT_TRUE(result.value("isError", false)) << result;
  EXPECT_NE(result.dump().find("user is away"), std::string::npos) << result;
}

TEST(SurfaceLegacy, UndeclaredCapabilityIsRefusedWithoutAsking) {
  Harness harness;
  harness.client().initialize("2025-11-25");
  json result = harness.client().request("tools/call", call("sample")).response["result"];
  EXPECT_TRUE(result.value("isError", false)) << result;
  EXPECT_NE(result.dump().find(ToolContext::kMissingCapability), std::string::npos) << result;
}

TEST(SurfaceLegacy, CancellingTheCallStopsTheWaitAndWithdrawsTheQuestion) {
  Harness harness;
  auto& client = harness.client();
  client.initialize("2025-11-25", {{"elicitation", json::object()}});
  const json id = client.next_id();
  client.send_request(id, "tools/call", call("ask_name"));
  std::optional<json> ask = client.next_message();
  ASSERT_TRUE(ask);
  client.notify("notifications/cancelled", {{"requestId", id}});
  std::optional<json> withdrawn = client.next_message();
  ASSERT_TRUE(withdrawn);
  EXPECT_EQ(withdrawn->value("method", ""), "notifications/cancelled") << *withdrawn;
  EXPECT_EQ((*withdrawn)["params"]["requestId"], (*ask)["id"]);
  // No response to the cancelled call: the next message is the answer to this ping.
  json ping = client.request("ping").response;
  EXPECT_TRUE(ping.contains("result")) << ping;
}

json modern_call(const std::string& tool, json extra = json::object()) {
  json params = call(tool);
  for (auto& [key, value] : extra.items()) params[key] = value;
  return params;
}

TEST(SurfaceModern, QuestionsBecomeAnInputRequiredResultAndTheRetryAnswersThem) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  client.set_modern_capabilities({{"elicitation", json::object()}});
  json first = client.request("tools/call", modern_call("ask_name")).response["result"];
  ASSERT_EQ(first["resultType"], "input_required") << first;
  EXPECT_EQ(first["inputRequests"]["name"]["method"], "elicitation/create");
  EXPECT_EQ(first["inputRequests"]["name"]["params"]["message"], "What is your name?");
  ASSERT_TRUE(first["requestState"].is_string());

  json answers = {{"name", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}};
  json done =
      client
          .request("tools/call", modern_call("ask_name", {{"inputResponses", answers},
                                                          {"requestState", first["requestState"]}}))
          .response["result"];
  EXPECT_EQ(done["resultType"], "complete") << done;
  EXPECT_NE(done.dump().find("Ada"), std::string::npos) << done;
}

TEST(SurfaceModern, EarlierAnswersTravelInTheSealedState) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  client.set_modern_capabilities({{"elicitation", json::object()}});
  json round1 = client.request("tools/call", modern_call("ask_twice")).response["result"];
  ASSERT_TRUE(round1["inputRequests"].contains("first")) << round1;
  json round2 =
      client
          .request("tools/call",
                   modern_call("ask_twice",
                               {{"inputResponses",
                                 {{"first", {{"action", "accept"}, {"content", {{"name", "a"}}}}}}},
                                {"requestState", round1["requestState"]}}))
          .response["result"];
  ASSERT_TRUE(round2["inputRequests"].contains("second")) << round2;
  EXPECT_NE(round2["requestState"], round1["requestState"]);
  json round3 =
      client
          .request(
              "tools/call",
              modern_call("ask_twice",
                          {{"inputResponses",
                            {{"second", {{"action", "accept"}, {"content", {{"name", "b"}}}}}}},
                           {"requestState", round2["requestState"]}}))
          .response["result"];
  EXPECT_EQ(round3["content"][0]["text"], "a+b") << round3;
}

TEST(SurfaceModern, AlteredOrForeignStateAndMalformedAnswersAreInvalidParams) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  client.set_modern_capabilities({{"elicitation", json::object()}});
  json first = client.request("tools/call", modern_call("ask_name")).response["result"];
  const std::string state = first["requestState"];
  json tampered =
      client.request("tools/call", modern_call("ask_name", {{"requestState", state + "x"}}))
          .response;
  EXPECT_EQ(tampered["error"]["code"], -32602) << tampered;
  json foreign =
      client.request("tools/call", modern_call("ask_twice", {{"requestState", state}})).response;
  EXPECT_EQ(foreign["error"]["code"], -32602) << foreign;
  for (json bad : {json(nullptr), json(5), json{{"name", 12345}}}) {
    json response =
        client.request("tools/call", modern_call("ask_name", {{"inputResponses", bad}})).response;
    EXPECT_EQ(response["error"]["code"], -32602) << response;
  }
}

TEST(SurfaceModern, UndeclaredCapabilityIsMissingRequiredClientCapability) {
  Harness harness;
  harness.client().use_modern();
  json response = harness.client().request("tools/call", modern_call("sample")).response;
  EXPECT_EQ(response["error"]["code"], mcp::kMissingRequiredClientCapability) << response;
  EXPECT_EQ(response["error"]["data"]["requiredCapabilities"],
            json({{"sampling", json::object()}}));
}

TEST(SurfaceModern, PromptsMayAskForInputToo) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  client.set_modern_capabilities({{"elicitation", json::object()}});
  json first = client.request("prompts/get", {{"name", "ask"}}).response["result"];
  ASSERT_EQ(first["resultType"], "input_required") << first;
  json done =
      client
          .request(
              "prompts/get",
              {{"name", "ask"},
               {"inputResponses", {{"topic", {{"action", "accept"}, {"content", json::object()}}}}},
               {"requestState", first["requestState"]}})
          .response["result"];
  EXPECT_EQ(done["resultType"], "complete") << done;
  EXPECT_TRUE(done["messages"].is_array()) << done;
}

const json kTasksCapabilities = {
    {"elicitation", json::object()},
    {"extensions", {{"io.modelcontextprotocol/tasks", json::object()}}}};

// Polls tasks/get until the task leaves `while_status` (the test's deadline bounds it).
json await_task(TestMcpClient& client, const std::string& id, const std::string& while_status) {
  for (;;) {
    json task = client.request("tasks/get", {{"taskId", id}}).response["result"];
    if (task.value("status", "") != while_status) return task;
    std::this_thread::yield();
  }
}

TEST(SurfaceTasks, ATaskAsksThroughTasksGetAndResumesOnTasksUpdate) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  client.set_modern_capabilities(kTasksCapabilities);
  json created = client.request("tools/call", call("ask_name")).response["result"];
  ASSERT_EQ(created["resultType"], "task") << created;
  const std::string id = created["taskId"];
  EXPECT_FALSE(created.contains("requestState"));

  json waiting = await_task(client, id, "working");
  ASSERT_EQ(waiting["status"], "input_required") << waiting;
  EXPECT_EQ(waiting["inputRequests"]["name"]["method"], "elicitation/create");

  json ack = client
                 .request("tasks/update",
                          {{"taskId", id},
                           {"inputResponses",
                            {{"name", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}}})
                 .response["result"];
  EXPECT_EQ(ack["resultType"], "complete");
  EXPECT_FALSE(ack.contains("status"));
  json done = await_task(client, id, "input_required");
  done = done["status"] == "working" ? await_task(client, id, "working") : done;
  ASSERT_EQ(done["status"], "completed") << done;
  EXPECT_NE(done["result"].dump().find("Ada"), std::string::npos) << done;
}

// A task waiting for input that never comes ends, failed with a message saying so, when the
// server's client-request deadline passes: it does not hold a worker for ever.
TEST(SurfaceTasks, ATaskWhoseInputNeverComesFailsAtTheDeadline) {
  Harness harness;
  harness.server().set_client_request_timeout(std::chrono::milliseconds(50));
  auto& client = harness.client();
  client.use_modern();
  client.set_modern_capabilities(kTasksCapabilities);
  json created = client.request("tools/call", call("ask_name")).response["result"];
  ASSERT_EQ(created["resultType"], "task") << created;
  const std::string id = created["taskId"];
  json task = await_task(client, id, "working");
  if (task["status"] == "input_required") task = await_task(client, id, "input_required");
  ASSERT_EQ(task["status"], "failed") << task;
  EXPECT_NE(task.dump().find("No input arrived"), std::string::npos) << task;
}

TEST(SurfaceTasks, GatingUnknownIdsAndCancellation) {
  Harness harness;
  auto& client = harness.client();
  client.use_modern();
  // Without the extension: task-only tools and the tasks methods need it; optional ones run
  // synchronously.
  json refused = client.request("tools/call", call("task_only")).response;
  EXPECT_EQ(refused["error"]["code"], mcp::kMissingRequiredClientCapability) << refused;
  EXPECT_TRUE(refused["error"]["data"]["requiredCapabilities"]["extensions"].contains(
      "io.modelcontextprotocol/tasks"));
  EXPECT_EQ(client.request("tasks/get", {{"taskId", "x"}}).response["error"]["code"],
            mcp::kMissingRequiredClientCapability);

  client.set_modern_capabilities(kTasksCapabilities);
  EXPECT_EQ(client.request("tasks/get", {{"taskId", "nope"}}).response["error"]["code"], -32602);
  json created = client.request("tools/call", call("ask_name")).response["result"];
  const std::string id = created["taskId"];
  await_task(client, id, "working");
  json ack = client.request("tasks/cancel", {{"taskId", id}}).response["result"];
  EXPECT_EQ(ack["resultType"], "complete");
  EXPECT_EQ(await_task(client, id, "input_required")["status"], "cancelled");
  // Cancelling again is the same ack.
  EXPECT_EQ(client.request("tasks/cancel", {{"taskId", id}}).response["result"]["resultType"],
            "complete");
  json capabilities = client.request("server/discover").response["result"]["capabilities"];
  EXPECT_TRUE(capabilities["extensions"].contains("io.modelcontextprotocol/tasks"));
}

}  // namespace
}  // namespace benchtop
