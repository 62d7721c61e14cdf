#include "tools/agent/agent_tools.h"

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

class AgentRunToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    register_fs_tools(registry_, provider_);
    auto database = Database::open(state_.path() / "benchtop.db", benchtop_migrations());
    ASSERT_TRUE(database);
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
  }
  void make_service(std::optional<std::string> unavailable = std::nullopt) {
    LlmConfig config;
    config.base_url = llm_server_.base_url();
    config.model = "scripted";
    chat_ = std::make_unique<ChatService>(*repositories_.threads, registry_, provider_,
                                          std::make_unique<OpenAiClient>(config), unavailable,
                                          AgentOptions{});
    register_agent_tools(registry_, *chat_);
  }

  TempDir state_;
  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_{dirs_.root()};
  ScriptedLlmServer llm_server_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ChatService> chat_;
  ToolRegistry registry_;  // declared last: its handlers refer to the service
};

TEST_F(AgentRunToolTest, RunsTheLoopAndReportsProgressPerStep) {
  make_service();
  write_file(dirs_.root() / "todo.txt", "buy milk\n");
  llm_server_.push(tool_call_reply("c1", "fs_read", {{"path", "todo.txt"}}));
  llm_server_.push(tool_call_reply("c2", "fs_delete", {{"path", "todo.txt"}}));
  llm_server_.push(text_reply("Done: the list said buy milk; I deleted it."));

  std::vector<std::string> progress;
  ToolContext context(
      {},
      [&](double, std::optional<double>, const std::string& message) {
        progress.push_back(message);
      },
      nlohmann::json::object(), "2025-11-25");
  auto result =
      registry_.call("agent_run", {{"project", "demo"}, {"prompt", "do the todo"}}, context);
  ASSERT_TRUE(result);
  ASSERT_FALSE(result->is_error) << result->to_json().dump();
  const auto& structured = *result->structured;
  EXPECT_EQ(structured["answer"], "Done: the list said buy milk; I deleted it.");
  EXPECT_EQ(structured["stop_reason"], "completed");
  EXPECT_EQ(structured["rounds"], 3);
  ASSERT_EQ(structured["tool_calls"].size(), 2u);
  EXPECT_EQ(structured["tool_calls"][1]["name"], "fs_delete");
  EXPECT_FALSE(std::filesystem::exists(dirs_.root() / "todo.txt"));
  EXPECT_EQ(progress,
            (std::vector<std::string>{"calling fs_read", "fs_read done", "calling fs_delete",
                                      "fs_delete done", "finished"}));
  const std::string text = result->content[0]["text"];
  EXPECT_NE(text.find("fs_delete \"todo.txt\""), std::string::npos);

  // The agent is not offered to itself, nor are the project-management tools.
  const auto requests = llm_server_.requests();
  for (const auto& tool : requests.at(0)["tools"]) {
    EXPECT_NE(tool["function"]["name"], "agent_run");
  }
}

TEST_F(AgentRunToolTest, SaysWhatToConfigureWithoutAModel) {
  make_service("no language model is configured: set BENCHTOP_LLM_BASE_URL");
  ToolContext context;
  auto result = registry_.call("agent_run", {{"project", "demo"}, {"prompt", "x"}}, context);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->is_error);
  EXPECT_NE(result->to_json().dump().find("BENCHTOP_LLM_BASE_URL"), std::string::npos);
}

}  // namespace
}  // namespace benchtop
