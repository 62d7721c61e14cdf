#include "server/web/chat_api.h"

#include <gtest/gtest.h>

#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/fs_test_support.h"
#include "tests/support/scripted_llm_server.h"
#include "tools/fs/fs_tools.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

// Collects what an SSE handler writes.
struct CollectingWriter : StreamWriter {
  std::string bytes;
  bool write(std::string_view chunk) override {
    bytes.append(chunk);
    return true;
  }
  // The JSON payloads of the `data:` lines, in order.
  std::vector<Json> events() const {
    std::vector<Json> out;
    size_t start = 0;
    while ((start = bytes.find("data: ", start)) != std::string::npos) {
      const size_t end = bytes.find('\n', start);
      out.push_back(Json::parse(bytes.substr(start + 6, end - start - 6)));
      start = end;
    }
    return out;
  }
};

class ChatApiTest : public ::testing::Test {
 protected:
  ChatApiTest() : provider_(dirs_.root()), access_(HttpAccessPolicy{}) {
    register_fs_tools(registry_, provider_);
    open_service();
  }

  void open_service(bool with_model = true) {
    router_ = HttpRouter();
    chat_.reset();
    repositories_ = {};
    database_.reset();
    auto database = Database::open(state_.path() / "benchtop.db", benchtop_migrations());
    ASSERT_TRUE(database) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    LlmConfig config;
    config.base_url = llm_server_.base_url();
    config.model = "scripted";
    config.retry_base_delay = 1ms;
    std::optional<std::string> unavailable;
    if (!with_model) unavailable = "no language model is configured: set BENCHTOP_LLM_BASE_URL";
    chat_ = std::make_unique<ChatService>(*repositories_.threads, registry_, provider_,
                                          std::make_unique<OpenAiClient>(config), unavailable,
                                          AgentOptions{});
    register_chat_routes(router_, access_, *chat_,
                         {provider_, [this] { return provider_.projects(); }});
  }

  HttpResponse request(const std::string& method, const std::string& target,
                       const Json& body = nullptr) {
    HttpRequest r;
    r.method = method;
    const size_t question = target.find('?');
    r.path = target.substr(0, question);
    if (question != std::string::npos) {
      const std::string query = target.substr(question + 1);
      const size_t equals = query.find('=');
      r.query.emplace_back(query.substr(0, equals), query.substr(equals + 1));
    }
    r.headers.emplace_back("Host", "127.0.0.1:8765");
    if (method == "POST") r.headers.emplace_back("Content-Type", "application/json");
    if (!body.is_null()) r.body = body.dump();
    return router_.route(r);
  }

  static Json json_of(const HttpResponse& response) { return Json::parse(response.body); }

  std::string create_thread() {
    const HttpResponse created = request("POST", "/api/threads", {{"project", "demo"}});
    EXPECT_EQ(created.status, 201) << created.body;
    return json_of(created)["id"];
  }

  std::vector<Json> send(const std::string& id, const std::string& content) {
    HttpResponse response =
        request("POST", "/api/threads/" + id + "/messages", {{"content", content}});
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "text/event-stream");
    CollectingWriter writer;
    if (response.stream) response.stream(writer);
    return writer.events();
  }

  TempDir state_;
  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_;
  ToolRegistry registry_;
  ScriptedLlmServer llm_server_;
  HttpAccess access_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ChatService> chat_;
  HttpRouter router_;
};

TEST_F(ChatApiTest, AMessageStreamsEventsInOrderAndIsPersisted) {
  llm_server_.push(
      tool_call_reply("c1", "fs_write", {{"path", "app.py"}, {"content", "print(1)\n"}}));
  llm_server_.push(text_reply("Created app.py."));
  const std::string id = create_thread();

  const auto events = send(id, "Create app.py");
  std::vector<std::string> types;
  for (const auto& event : events) types.push_back(event["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"tool_start", "tool_result", "file_changed", "text",
                                             "text", "done"}));
  EXPECT_EQ(events[2]["path"], "app.py");
  EXPECT_EQ(events.back()["usage"]["total_tokens"], 42);
  EXPECT_EQ(read_file(dirs_.root() / "app.py"), "print(1)\n");

  const Json messages = json_of(request("GET", "/api/threads/" + id + "/messages"));
  ASSERT_EQ(messages["messages"].size(), 4u);
  EXPECT_EQ(messages["messages"][0]["role"], "user");
  EXPECT_EQ(messages["messages"][1]["tool_calls"][0]["name"], "fs_write");
  EXPECT_EQ(messages["messages"][1]["tool_calls"][0]["args"]["path"], "app.py");
  EXPECT_EQ(messages["messages"][2]["role"], "tool");
  EXPECT_EQ(messages["messages"][3]["content"], "Created app.py.");
  EXPECT_EQ(messages["running"], false);

  const Json thread = json_of(request("GET", "/api/threads/" + id));
  EXPECT_EQ(thread["title"], "Create app.py");
  EXPECT_EQ(thread["usage"]["total_tokens"], 42);
  const Json list = json_of(request("GET", "/api/threads?project=demo"));
  ASSERT_EQ(list["threads"].size(), 1u);
  EXPECT_EQ(json_of(request("GET", "/api/threads?project=other"))["threads"].size(), 0u);
}

TEST_F(ChatApiTest, HistorySurvivesARestartAndIsSentToTheModel) {
  llm_server_.push(text_reply("First answer."));
  const std::string id = create_thread();
  send(id, "first question");

  open_service();  // a new database connection and service: what a restart sees
  const Json messages = json_of(request("GET", "/api/threads/" + id + "/messages"));
  ASSERT_EQ(messages["messages"].size(), 2u);
  EXPECT_EQ(messages["messages"][1]["content"], "First answer.");

  llm_server_.push(text_reply("Second answer."));
  send(id, "second question");
  const auto requests = llm_server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const Json& sent = requests[1]["messages"];
  ASSERT_EQ(sent.size(), 4u);  // system, first question, first answer, second question
  EXPECT_EQ(sent[1]["content"], "first question");
  EXPECT_EQ(sent[2]["content"], "First answer.");
  EXPECT_EQ(sent[3]["content"], "second question");
}

TEST_F(ChatApiTest, OneRunPerThreadCancelAndReattach) {
  ScriptedReply slow;
  slow.writes = {text_chunk("Thinking")};
  slow.hang = true;
  llm_server_.push(slow);
  const std::string id = create_thread();

  // Start a run and walk away from its stream (a page refresh): the run goes on.
  const HttpResponse first =
      request("POST", "/api/threads/" + id + "/messages", {{"content", "slow task"}});
  ASSERT_EQ(first.status, 200);
  const HttpResponse second =
      request("POST", "/api/threads/" + id + "/messages", {{"content", "again"}});
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(json_of(request("GET", "/api/threads/" + id))["running"], true);

  // Re-attach, cancel once the first text has arrived, and see the stream end with the error.
  auto run = chat_->latest_run(id);
  ASSERT_TRUE(run);
  std::vector<Json> seen;
  ASSERT_FALSE(run->read(0, seen, 10s));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["type"], "text");
  EXPECT_EQ(request("POST", "/api/threads/" + id + "/cancel").status, 200);

  HttpResponse events = request("GET", "/api/threads/" + id + "/events");
  ASSERT_EQ(events.status, 200);
  CollectingWriter writer;
  events.stream(writer);
  const auto replay = writer.events();
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(replay[0]["text"], "Thinking");
  EXPECT_EQ(replay[1]["type"], "error");
  EXPECT_EQ(replay[1]["stop_reason"], "cancelled");
  EXPECT_NE(writer.bytes.find("id: 1\n"), std::string::npos);

  // Resuming after the last seen event id replays only what came later.
  HttpRequest resume;
  resume.method = "GET";
  resume.path = "/api/threads/" + id + "/events";
  resume.headers = {{"Host", "127.0.0.1"}, {"Last-Event-ID", "0"}};
  HttpResponse resumed = router_.route(resume);
  CollectingWriter rest;
  resumed.stream(rest);
  ASSERT_EQ(rest.events().size(), 1u);
  EXPECT_EQ(rest.events()[0]["type"], "error");

  EXPECT_EQ(request("POST", "/api/threads/" + id + "/cancel").status, 409);
  EXPECT_TRUE(llm_server_.wait_for_hangup());

  // The thread takes new messages again.
  llm_server_.push(text_reply("Back."));
  const auto after = send(id, "are you there?");
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.back()["type"], "done");
}

// Finished runs are kept for re-attaching only for a while: starting a run drops older finished
// ones, whose messages stay in the store.
TEST_F(ChatApiTest, FinishedRunsArePrunedAndTheirMessagesKept) {
  chat_->set_finished_run_retention(0ms);
  llm_server_.push(text_reply("First."));
  const std::string first = create_thread();
  send(first, "one");
  ASSERT_NE(chat_->latest_run(first), nullptr);

  llm_server_.push(text_reply("Second."));
  const std::string second = create_thread();
  send(second, "two");
  EXPECT_EQ(chat_->latest_run(first), nullptr) << "the finished run of the first thread stayed";
  EXPECT_NE(chat_->latest_run(second), nullptr);
  const Json messages = json_of(request("GET", "/api/threads/" + first + "/messages"));
  EXPECT_EQ(messages["messages"].size(), 2u) << messages;
}

TEST_F(ChatApiTest, ClearErrors) {
  EXPECT_EQ(request("POST", "/api/threads", {{"title", "x"}}).status, 400);
  EXPECT_EQ(request("POST", "/api/threads", {{"project", "nope"}}).status, 404);
  EXPECT_EQ(request("GET", "/api/threads/missing").status, 404);
  EXPECT_EQ(request("GET", "/api/threads/missing/messages").status, 404);
  EXPECT_EQ(request("DELETE", "/api/threads/missing").status, 404);
  const std::string id = create_thread();
  EXPECT_EQ(request("POST", "/api/threads/" + id + "/messages", {{"content", ""}}).status, 400);
  EXPECT_EQ(request("GET", "/api/threads/" + id + "/events").status, 404);

  open_service(/*with_model=*/false);
  const HttpResponse unconfigured =
      request("POST", "/api/threads/" + id + "/messages", {{"content", "hi"}});
  EXPECT_EQ(unconfigured.status, 503);
  EXPECT_NE(json_of(unconfigured)["error"].get<std::string>().find("BENCHTOP_LLM_BASE_URL"),
            std::string::npos);

  EXPECT_EQ(request("DELETE", "/api/threads/" + id).status, 200);
  EXPECT_EQ(request("GET", "/api/threads/" + id).status, 404);

  // The access guard applies: a foreign Host is refused.
  HttpRequest foreign;
  foreign.method = "GET";
  foreign.path = "/api/threads";
  foreign.headers = {{"Host", "evil.example"}};
  EXPECT_EQ(router_.route(foreign).status, 403);
}

TEST_F(ChatApiTest, PageAndReadOnlyProjectEndpoints) {
  const HttpResponse page = request("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("/api/threads"), std::string::npos);
  EXPECT_EQ(page.body.find("http://"), std::string::npos);  // nothing fetched from elsewhere
  EXPECT_EQ(page.body.find("https://"), std::string::npos);

  write_file(dirs_.root() / "src/main.c", "int main(void) { return 0; }\n");
  const HttpResponse tree = request("GET", "/api/projects/demo/tree?depth=2");
  ASSERT_EQ(tree.status, 200) << tree.body;
  EXPECT_NE(tree.body.find("src/main.c"), std::string::npos);
  const HttpResponse file = request("GET", "/api/projects/demo/file?path=src/main.c");
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(json_of(file)["content"], "int main(void) { return 0; }\n");
  EXPECT_EQ(request("GET", "/api/projects/demo/file?path=../outside").status, 400);
  EXPECT_EQ(request("GET", "/api/projects/demo/file").status, 400);
}

// The page browses with the fs tools' own listing and reader, not through the tools: the answers
// are the tools' structured results, and what the tools refuse the page refuses.
TEST_F(ChatApiTest, BrowsingAnswersAsTheFsToolsDoAndRefusesWhatTheyRefuse) {
  write_file(dirs_.root() / "src/main.c", "int main(void) { return 0; }\n");
  write_file(dirs_.root() / "blob.bin", std::string("\x01\0\x02", 3));
  std::filesystem::create_symlink(dirs_.outside(), dirs_.root() / "escape");

  const Json projects = json_of(request("GET", "/api/projects"));
  ASSERT_EQ(projects["projects"].size(), 1u);
  EXPECT_EQ(projects["projects"][0]["name"], "demo");
  EXPECT_EQ(projects["default_project"], "demo");

  ToolContext context;
  const Json tree = json_of(request("GET", "/api/projects/demo/tree?depth=3"));
  auto via_tool = registry_.call("fs_list", {{"path", "."}, {"depth", 3}}, context);
  ASSERT_TRUE(via_tool && via_tool->structured);
  EXPECT_EQ(tree, *via_tool->structured);

  const Json file = json_of(request("GET", "/api/projects/demo/file?path=src/main.c"));
  auto read = registry_.call("fs_read", {{"path", "src/main.c"}}, context);
  ASSERT_TRUE(read && read->structured);
  EXPECT_EQ(file, *read->structured);

  EXPECT_EQ(request("GET", "/api/projects/demo/file?path=blob.bin").status, 400);
  EXPECT_EQ(request("GET", "/api/projects/demo/file?path=src").status, 400);
  EXPECT_EQ(request("GET", "/api/projects/demo/file?path=escape/x").status, 400);
  EXPECT_EQ(request("GET", "/api/projects/demo/tree?path=escape").status, 400);
  EXPECT_EQ(request("GET", "/api/projects/demo/file?path=missing.txt").status, 404);
  EXPECT_EQ(request("GET", "/api/projects/nope/tree").status, 404);
  EXPECT_EQ(request("GET", "/api/projects/demo/tree?depth=11").status, 400);
  EXPECT_EQ(request("GET", "/api/projects/demo/tree?depth=x").status, 400);
}

}  // namespace
}  // namespace benchtop
