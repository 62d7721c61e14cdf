// A chat run tells the model the project's own notes for agents: its AGENTS.md goes into the
// system prompt, for one-off runs (benchtop chat, agent_run) and thread runs alike.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/chat/chat_service.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/fs_test_support.h"
#include "tests/support/scripted_llm_server.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;
using namespace std::chrono_literals;

class ChatInstructionsTest : public ::testing::Test {
 protected:
  ChatInstructionsTest() : provider_(dirs_.root()) {
    auto database = Database::open(state_.path() / "benchtop.db", benchtop_migrations());
    EXPECT_TRUE(database) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    LlmConfig config;
    config.base_url = llm_server_.base_url();
    config.model = "scripted";
    config.retry_base_delay = 1ms;
    chat_ = std::make_unique<ChatService>(*repositories_.threads, registry_, provider_,
                                          std::make_unique<OpenAiClient>(config), std::nullopt,
                                          AgentOptions{});
  }

  // The system prompt of the model request a one-off run on demo sends.
  std::string system_prompt_of_a_run() {
    llm_server_.push(text_reply("Done."));
    auto outcome = chat_->run_once("demo", "hello", std::nullopt, {}, {});
    EXPECT_TRUE(outcome) << outcome.error().message;
    const auto requests = llm_server_.requests();
    if (requests.empty()) return "";
    return requests.back()["messages"][0].value("content", "");
  }

  TempDir state_;
  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_;
  ToolRegistry registry_;
  ScriptedLlmServer llm_server_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ChatService> chat_;
};

TEST_F(ChatInstructionsTest, TheProjectsAgentsFileIsInTheSystemPrompt) {
  EXPECT_EQ(system_prompt_of_a_run().find("AGENTS.md"), std::string::npos);
  write_file(dirs_.root() / "AGENTS.md", "Run `make check` before you answer.\n");
  const std::string prompt = system_prompt_of_a_run();
  EXPECT_NE(prompt.find("You are the coding agent"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find("----- AGENTS.md -----\nRun `make check` before you answer.\n"),
            std::string::npos)
      << prompt;
}

TEST_F(ChatInstructionsTest, ThreadRunsGetItToo) {
  write_file(dirs_.root() / "AGENTS.md", "Prefer small commits.\n");
  llm_server_.push(text_reply("Done."));
  auto thread = chat_->create_thread("demo", "");
  ASSERT_TRUE(thread) << thread.error().message;
  auto run = chat_->start(thread->id, "hello");
  ASSERT_TRUE(run) << run.error().message;
  std::vector<nlohmann::json> events;
  while (!(*run)->read(events.size(), events, 10s)) {
  }
  const auto requests = llm_server_.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_NE(requests[0]["messages"][0].value("content", "").find("Prefer small commits."),
            std::string::npos);
}

}  // namespace
}  // namespace benchtop
