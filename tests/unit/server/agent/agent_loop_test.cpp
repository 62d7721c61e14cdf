#include "server/agent/agent_loop.h"

#include <gtest/gtest.h>

#include "tests/support/fs_test_support.h"
#include "tests/support/scripted_llm_server.h"
#include "tools/fs/fs_tools.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;
using namespace std::chrono_literals;

class AgentLoopTest : public ::testing::Test {
 protected:
  AgentLoopTest() : provider_(dirs_.root()) {
    register_fs_tools(registry_, provider_);
    config_.base_url = llm_server_.base_url();
    config_.model = "scripted";
    config_.retry_base_delay = 1ms;
    config_.request_timeout = 10s;
  }

  AgentRunOutcome run(const std::string& prompt, AgentOptions options = {},
                      const CancellationToken& cancel = {},
                      std::function<void(const nlohmann::json&)> also = {}) {
    OpenAiClient client(config_);
    AgentLoop loop(registry_, client, options);
    AgentCallbacks callbacks;
    callbacks.on_event = [&](const nlohmann::json& event) {
      events_.push_back(event);
      if (also) also(event);
    };
    callbacks.on_message = [&](const ChatMessage& message) { messages_.push_back(message); };
    AgentRunRequest request;
    request.project = "demo";
    request.prompt = prompt;
    return loop.run(request, callbacks, cancel);
  }

  std::vector<std::string> event_types() const {
    std::vector<std::string> types;
    for (const auto& event : events_) {
      const std::string type = event["type"];
      // Collapse runs of text deltas, so the order of steps is easy to compare.
      if (type == "text" && !types.empty() && types.back() == "text") continue;
      types.push_back(type);
    }
    return types;
  }

  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_;
  ToolRegistry registry_;
  ScriptedLlmServer llm_server_;
  LlmConfig config_;
  std::vector<nlohmann::json> events_;
  std::vector<ChatMessage> messages_;
};

TEST_F(AgentLoopTest, RunsRealToolsAndStreamsEventsInOrder) {
  llm_server_.push(
      tool_call_reply("call_w", "fs_write", {{"path", "notes/hello.txt"}, {"content", "hello\n"}}));
  llm_server_.push(tool_call_reply("call_r", "fs_read", {{"path", "notes/hello.txt"}}));
  llm_server_.push(text_reply("I wrote notes/hello.txt for you."));

  const AgentRunOutcome outcome = run("create a greeting file");

  EXPECT_EQ(to_string(outcome.stop_reason), "completed") << outcome.error;
  EXPECT_EQ(outcome.rounds, 3);
  EXPECT_EQ(outcome.final_text, "I wrote notes/hello.txt for you.");
  EXPECT_EQ(read_file(dirs_.root() / "notes/hello.txt"), "hello\n");
  EXPECT_EQ(event_types(), (std::vector<std::string>{"tool_start", "tool_result", "file_changed",
                                                     "tool_start", "tool_result", "text", "done"}));
  EXPECT_EQ(events_[0]["name"], "fs_write");
  EXPECT_EQ(events_[0]["args"]["path"], "notes/hello.txt");
  EXPECT_EQ(events_[1]["is_error"], false);
  EXPECT_EQ(events_[2]["path"], "notes/hello.txt");
  EXPECT_EQ(events_[2]["action"], "created");
  EXPECT_NE(events_[4]["result"].get<std::string>().find("hello"), std::string::npos);
  EXPECT_EQ(events_.back()["usage"]["total_tokens"], 27 + 27 + 15);

  // The model saw the tool results of the earlier rounds, answered by call id, and the project
  // argument was filled in for it.
  const auto requests = llm_server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  const auto& last_messages = requests[2]["messages"];
  EXPECT_EQ(last_messages[0]["role"], "system");
  EXPECT_NE(last_messages[0]["content"].get<std::string>().find("'demo'"), std::string::npos);
  EXPECT_EQ(last_messages[1]["content"], "create a greeting file");
  EXPECT_EQ(last_messages[2]["tool_calls"][0]["id"], "call_w");
  EXPECT_EQ(last_messages[3]["role"], "tool");
  EXPECT_EQ(last_messages[3]["tool_call_id"], "call_w");
  EXPECT_EQ(last_messages[5]["tool_call_id"], "call_r");
  bool offers_fs_write = false;
  for (const auto& tool : requests[0]["tools"]) {
    offers_fs_write |= tool["function"]["name"] == "fs_write";
    EXPECT_TRUE(tool["function"]["parameters"].is_object());
  }
  EXPECT_TRUE(offers_fs_write);

  // Every message the conversation gained was handed out: user, then assistant/tool pairs.
  ASSERT_EQ(messages_.size(), 6u);
  EXPECT_EQ(messages_[0].role, ChatRole::kUser);
  EXPECT_EQ(messages_[1].tool_calls.size(), 1u);
  EXPECT_EQ(messages_[2].role, ChatRole::kTool);
  EXPECT_EQ(messages_[5].content, "I wrote notes/hello.txt for you.");
}

TEST_F(AgentLoopTest, ToolErrorsGoBackToTheModelAndEscapesAreRefused) {
  llm_server_.push(tool_call_reply("c1", "fs_read", {{"path", "../outside/secret"}}));
  llm_server_.push(tool_call_reply("c2", "fs_read", {{"path", "a.txt"}, {"project", "other"}}));
  llm_server_.push(tool_call_reply("c3", "manage_projects", nlohmann::json::object()));
  llm_server_.push(text_reply("Could not."));
  write_file(dirs_.outside() / "secret", "top secret");
  // A tool that declares itself not for the built-in agent is neither offered nor run.
  bool hidden_ran = false;
  Tool hidden;
  hidden.name = "manage_projects";
  hidden.title = "Manage projects";
  hidden.description = "Not for a conversation confined to one project.";
  hidden.input_schema = {{"type", "object"}, {"additionalProperties", false}};
  hidden.builtin_agent = false;
  hidden.handler = [&](const nlohmann::json&, ToolContext&) {
    hidden_ran = true;
    return ToolResult::text("ran");
  };
  registry_.add(std::move(hidden));

  const AgentRunOutcome outcome = run("read outside");
  EXPECT_FALSE(hidden_ran);
  const auto requests = llm_server_.requests();
  for (const auto& tool : requests.at(0)["tools"]) {
    EXPECT_NE(tool["function"]["name"], "manage_projects");
  }
  EXPECT_EQ(to_string(outcome.stop_reason), "completed");
  ASSERT_EQ(outcome.tool_calls.size(), 3u);
  for (const auto& call : outcome.tool_calls) EXPECT_TRUE(call.is_error) << call.name;
  const auto& messages = requests[3]["messages"];
  for (const auto& message : messages) {
    if (message["role"] == "tool") {
      EXPECT_EQ(message["content"].get<std::string>().rfind("Error: ", 0), 0u) << message.dump();
      EXPECT_EQ(message["content"].get<std::string>().find("top secret"), std::string::npos);
    }
  }
}

TEST_F(AgentLoopTest, RoundLimitStopsAModelThatNeverFinishes) {
  llm_server_.set_fallback(tool_call_reply("again", "fs_list", nlohmann::json::object()));
  AgentOptions options;
  options.max_rounds = 3;
  const AgentRunOutcome outcome = run("loop forever", options);
  EXPECT_EQ(to_string(outcome.stop_reason), "round_limit");
  EXPECT_EQ(outcome.rounds, 3);
  EXPECT_EQ(llm_server_.requests().size(), 3u);
  EXPECT_EQ(events_.back()["type"], "done");
  EXPECT_EQ(events_.back()["stop_reason"], "round_limit");
}

TEST_F(AgentLoopTest, CancellationStopsASlowStream) {
  ScriptedReply slow;
  slow.writes = {text_chunk("Working on it")};
  slow.hang = true;
  llm_server_.push(slow);
  CancellationSource cancel;
  const AgentRunOutcome outcome =
      run("do something slow", {}, cancel.token(), [&](const nlohmann::json& event) {
        if (event["type"] == "text") cancel.cancel();
      });
  EXPECT_EQ(to_string(outcome.stop_reason), "cancelled");
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.back()["type"], "error");
  EXPECT_EQ(events_.back()["stop_reason"], "cancelled");
  EXPECT_TRUE(llm_server_.wait_for_hangup());
}

TEST_F(AgentLoopTest, LargeResultsAreTruncatedForTheModelWithANote) {
  write_file(dirs_.root() / "big.txt", std::string(50000, 'x') + "\n");
  llm_server_.push(tool_call_reply("big", "fs_read", {{"path", "big.txt"}}));
  llm_server_.push(text_reply("ok"));
  AgentOptions options;
  options.max_result_chars = 1000;
  options.preview_chars = 100;
  run("read big", options);
  const auto requests = llm_server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string seen = requests[1]["messages"][3]["content"];
  EXPECT_LT(seen.size(), 1400u);
  EXPECT_NE(seen.find("[result truncated"), std::string::npos);
  for (const auto& event : events_) {
    if (event["type"] == "tool_result") {
      EXPECT_LE(event["result"].get<std::string>().size(), 104u);
    }
  }
}

// File changes are what the tools' results declare, read the same way by the agent and by any MCP
// client (`_meta`), whatever the tool is called.
TEST(FileChangesTest, TheFsToolsDeclareTheirChangesInTheResult) {
  WorkspaceFixtureDirs dirs;
  SingleWorkspaceProvider provider(dirs.root());
  ToolRegistry registry;
  register_fs_tools(registry, provider);
  auto call = [&](const std::string& name, const nlohmann::json& args) {
    ToolContext context;
    auto result = registry.call(name, args, context);
    EXPECT_TRUE(result.has_value()) << name;
    return result ? *result : ToolResult::error("no such tool");
  };

  auto created = file_changed_events(call("fs_write", {{"path", "a.txt"}, {"content", "1\n"}}));
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0],
            (nlohmann::json{{"type", "file_changed"}, {"path", "a.txt"}, {"action", "created"}}));
  const ToolResult edited =
      call("fs_edit", {{"path", "a.txt"}, {"edits", {{{"old_text", "1"}, {"new_text", "2"}}}}});
  EXPECT_EQ(file_changed_events(edited).at(0)["action"], "modified");
  EXPECT_EQ(edited.to_json()["_meta"][kFileChangesMeta],
            (nlohmann::json{{{"path", "a.txt"}, {"action", "modified"}}}));
  EXPECT_TRUE(
      file_changed_events(call("fs_edit", {{"path", "a.txt"},
                                           {"edits", {{{"old_text", "2"}, {"new_text", "3"}}}},
                                           {"dry_run", true}}))
          .empty());
  auto moved = file_changed_events(call("fs_move", {{"from", "a.txt"}, {"to", "b.txt"}}));
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0]["action"], "moved");
  EXPECT_EQ(moved[0]["from"], "a.txt");
  EXPECT_EQ(file_changed_events(call("fs_delete", {{"path", "b.txt"}})).at(0)["action"], "deleted");
  EXPECT_TRUE(file_changed_events(call("fs_read", {{"path", "missing.txt"}})).empty());
  const ToolResult read = call("fs_list", {{"path", "."}});
  EXPECT_TRUE(file_changed_events(read).empty());
  EXPECT_FALSE(read.to_json().contains("_meta"));
}

TEST(FileChangesTest, AnyToolThatDeclaresAChangeIsReported) {
  ToolResult result = ToolResult::text("generated");
  result.file_changes.push_back({"gen/out.c", FileChange::Action::kCreated, ""});
  auto events = file_changed_events(result);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["path"], "gen/out.c");
  result.is_error = true;
  EXPECT_TRUE(file_changed_events(result).empty()) << "a failed call changed nothing to report";
}

}  // namespace
}  // namespace benchtop

namespace benchtop {
namespace {

ChatMessage message(ChatRole role, std::string content) {
  ChatMessage m;
  m.role = role;
  m.content = std::move(content);
  return m;
}

TEST(RepairHistoryTest, AnswersInterruptedCallsAndDropsOrphanResults) {
  ChatMessage assistant = message(ChatRole::kAssistant, "");
  assistant.tool_calls = {{"a", "fs_read", "{}"}, {"b", "fs_list", "{}"}};
  ChatMessage answer_a = message(ChatRole::kTool, "ok");
  answer_a.tool_call_id = "a";
  ChatMessage orphan = message(ChatRole::kTool, "stray");
  orphan.tool_call_id = "zzz";
  const auto repaired = repair_history({message(ChatRole::kUser, "q"), assistant, answer_a, orphan,
                                        message(ChatRole::kUser, "again")});
  ASSERT_EQ(repaired.size(), 5u);
  EXPECT_EQ(repaired[2].tool_call_id, "a");
  EXPECT_EQ(repaired[3].tool_call_id, "b");
  EXPECT_TRUE(repaired[3].is_error);
  EXPECT_EQ(repaired[4].content, "again");
}

TEST_F(AgentLoopTest, WallClockLimitStopsTheRun) {
  llm_server_.set_fallback(text_reply("never asked"));
  AgentOptions options;
  options.time_limit = std::chrono::seconds(0);
  const AgentRunOutcome outcome = run("anything", options);
  EXPECT_EQ(to_string(outcome.stop_reason), "time_limit");
  EXPECT_TRUE(llm_server_.requests().empty());
  EXPECT_EQ(events_.back()["type"], "error");
}

}  // namespace
}  // namespace benchtop

namespace benchtop {
namespace {

TEST_F(AgentLoopTest, WallClockLimitInterruptsASlowStream) {
  ScriptedReply slow;
  slow.writes = {text_chunk("Still thinking")};
  slow.hang = true;
  llm_server_.push(slow);
  AgentOptions options;
  options.time_limit = std::chrono::seconds(1);
  const auto started = std::chrono::steady_clock::now();
  const AgentRunOutcome outcome = run("slow", options);
  EXPECT_EQ(to_string(outcome.stop_reason), "time_limit");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(events_.back()["stop_reason"], "time_limit");
  EXPECT_TRUE(llm_server_.wait_for_hangup());
}

}  // namespace
}  // namespace benchtop
