#include "tools/projects/project_prompts.h"

#include <gtest/gtest.h>

#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

class ProjectPromptsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_.path() / "data");
    auto database = Database::open(data.database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, data.workspaces_dir());
    ASSERT_TRUE(projects_->create("webshop", "").ok());
    ASSERT_TRUE(projects_->create("website", "").ok());
    register_project_prompts(prompts_, *projects_);
  }
  std::string text_of(const nlohmann::json& result) {
    return result["messages"][0]["content"]["text"].get<std::string>();
  }

  testing::TempDir temp_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> projects_;
  PromptRegistry prompts_;
};

TEST_F(ProjectPromptsTest, ListsThePromptsWithTheirArguments) {
  const nlohmann::json list = prompts_.list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["name"], "fix_failing_tests");
  EXPECT_EQ(list[1]["name"], "review_changes");
  EXPECT_EQ(list[2]["name"], "start_ticket");
  EXPECT_EQ(list[2]["arguments"].size(), 3u);
  EXPECT_TRUE(prompts_.has_completions());
}

TEST_F(ProjectPromptsTest, ExpandsArgumentsIntoInstructionsThatNameTheTools) {
  ToolContext context;
  auto fix =
      prompts_.get("fix_failing_tests", {{"project", "webshop"}, {"focus", "tests/cart"}}, context);
  ASSERT_TRUE(fix.ok()) << fix.error().message;
  EXPECT_EQ((*fix)["messages"][0]["role"], "user");
  EXPECT_NE(text_of(*fix).find("'webshop'"), std::string::npos);
  EXPECT_NE(text_of(*fix).find("tests/cart"), std::string::npos);
  EXPECT_NE(text_of(*fix).find("test_run"), std::string::npos);

  auto ticket =
      prompts_.get("start_ticket",
                   {{"project", "website"}, {"ticket", "42"}, {"goal", "Add a footer"}}, context);
  ASSERT_TRUE(ticket.ok());
  EXPECT_NE(text_of(*ticket).find("ticket/42"), std::string::npos);
  EXPECT_NE(text_of(*ticket).find("Add a footer"), std::string::npos);
}

TEST_F(ProjectPromptsTest, MissingArgumentsAndUnknownProjectsAreErrors) {
  ToolContext context;
  EXPECT_EQ(prompts_.get("start_ticket", {{"project", "webshop"}}, context).error().code,
            "invalid_arguments");
  auto unknown = prompts_.get("review_changes", {{"project", "nope"}}, context);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("project_list"), std::string::npos)
      << unknown.error().message;
}

TEST_F(ProjectPromptsTest, CompletesProjectNames) {
  auto names = prompts_.complete("review_changes", "project", "webs", {});
  ASSERT_TRUE(names.has_value());
  EXPECT_EQ(*names, (std::vector<std::string>{"webshop", "website"}));
  auto one = prompts_.complete("fix_failing_tests", "project", "websh", {});
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(*one, std::vector<std::string>{"webshop"});
}

}  // namespace
}  // namespace benchtop
