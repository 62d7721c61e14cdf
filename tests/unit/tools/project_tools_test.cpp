#include "tools/projects/project_tools.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ProjectToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_ / "data");
    auto database = Database::open(data.database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    service_ = std::make_unique<ProjectService>(*repositories_.projects, data.workspaces_dir());
    register_project_tools(registry_, *service_);
  }

  ToolResult call(const std::string& name, const json& arguments) {
    ToolContext context;
    auto result = registry_.call(name, arguments, context);
    EXPECT_TRUE(result.has_value()) << name;
    return result ? *result : ToolResult::error("tool missing");
  }

  static std::string text_of(const ToolResult& result) {
    return result.content.at(0).at("text").get<std::string>();
  }

  testing::TempDir temp_dir_;
  fs::path temp_ = temp_dir_.path();
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> service_;
  ToolRegistry registry_;  // declared last: destroyed before the service its handlers refer to
};

const json& tool_named(const json& list, const std::string& name) {
  for (const auto& tool : list) {
    if (tool["name"] == name) return tool;
  }
  static const json missing;
  ADD_FAILURE() << "no tool " << name;
  return missing;
}

TEST_F(ProjectToolsTest, DefinitionsDescribeThemselves) {
  const json list = registry_.list();
  ASSERT_EQ(list.size(), 4u);
  for (const auto& tool : list) {
    SCOPED_TRACE(tool["name"].get<std::string>());
    EXPECT_FALSE(tool["description"].get<std::string>().empty());
    EXPECT_EQ(tool["inputSchema"]["additionalProperties"], false);
    for (const auto& [key, property] : tool["inputSchema"]["properties"].items()) {
      if (key != "project") {
        EXPECT_TRUE(property.contains("description")) << key;
      }
    }
    EXPECT_EQ(tool["outputSchema"]["type"], "object");
  }
  const json& create = tool_named(list, "project_create");
  EXPECT_EQ(create["inputSchema"]["properties"]["name"]["pattern"], "^[a-z0-9][a-z0-9._-]{0,62}$");
  EXPECT_EQ(create["annotations"].value("destructiveHint", true), false);
  const json& remove = tool_named(list, "project_delete");
  EXPECT_EQ(remove["annotations"].value("destructiveHint", true), true);
  EXPECT_EQ(remove["annotations"].value("readOnlyHint", false), false);
  // `confirm` is optional in the schema: a client with elicitation asks its user instead, and
  // without elicitation the handler refuses a missing or wrong confirmation.
  EXPECT_EQ(remove["inputSchema"]["required"], json({"project"}));
  EXPECT_EQ(tool_named(list, "project_list")["annotations"].value("readOnlyHint", false), true);
  // idempotentHint means nothing for a read-only tool, so it is not listed.
  EXPECT_FALSE(tool_named(list, "project_get")["annotations"].contains("idempotentHint"));
}

TEST_F(ProjectToolsTest, CreateReturnsTheProject) {
  auto result = call("project_create", {{"name", "todo-app"}, {"description", "Todos"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  ASSERT_TRUE(result.structured.has_value());
  const json& project = (*result.structured)["project"];
  EXPECT_EQ(project["name"], "todo-app");
  EXPECT_EQ(project["description"], "Todos");
  EXPECT_EQ(project["kind"], "managed");
  EXPECT_EQ(project["default"], false);
  EXPECT_TRUE(fs::is_directory(project["root"].get<std::string>()));
  EXPECT_NE(text_of(result).find("todo-app"), std::string::npos);

  auto duplicate = call("project_create", {{"name", "todo-app"}});
  EXPECT_TRUE(duplicate.is_error);
  EXPECT_NE(text_of(duplicate).find("already exists"), std::string::npos) << text_of(duplicate);
}

TEST_F(ProjectToolsTest, InvalidNamesAreRefused) {
  for (const char* name : {"Todo App", "-x", ""}) {
    auto result = call("project_create", {{"name", name}});
    EXPECT_TRUE(result.is_error) << name;
  }
  auto listed = call("project_list", json::object());
  EXPECT_TRUE((*listed.structured)["projects"].empty());
}

TEST_F(ProjectToolsTest, ListShowsProjectsAndTheDefault) {
  auto empty = call("project_list", json::object());
  ASSERT_FALSE(empty.is_error);
  EXPECT_TRUE((*empty.structured)["projects"].empty());
  EXPECT_FALSE(empty.structured->contains("default_project"));
  EXPECT_NE(text_of(empty).find("project_create"), std::string::npos);

  call("project_create", {{"name", "zeta"}});
  const fs::path dir = temp_ / "checkout";
  fs::create_directories(dir);
  ASSERT_TRUE(service_->register_root(dir).ok());

  auto listed = call("project_list", json::object());
  ASSERT_FALSE(listed.is_error) << text_of(listed);
  const json& projects = (*listed.structured)["projects"];
  ASSERT_EQ(projects.size(), 2u);
  EXPECT_EQ(projects[0]["name"], "checkout");
  EXPECT_EQ(projects[0]["kind"], "external");
  EXPECT_EQ(projects[1]["name"], "zeta");
  EXPECT_EQ((*listed.structured)["default_project"], "checkout");
  EXPECT_NE(text_of(listed).find("checkout (default)"), std::string::npos) << text_of(listed);
}

TEST_F(ProjectToolsTest, GetFindsByIdOrName) {
  auto created = call("project_create", {{"name", "getme"}});
  const std::string id = (*created.structured)["project"]["id"];
  auto by_name = call("project_get", {{"project", "getme"}});
  ASSERT_FALSE(by_name.is_error);
  EXPECT_EQ((*by_name.structured)["project"]["id"], id);
  auto by_id = call("project_get", {{"project", id}});
  ASSERT_FALSE(by_id.is_error);
  EXPECT_EQ((*by_id.structured)["project"]["name"], "getme");

  auto missing = call("project_get", {{"project", "other"}});
  ASSERT_TRUE(missing.is_error);
  EXPECT_NE(text_of(missing).find("project_list"), std::string::npos);
}

TEST_F(ProjectToolsTest, DeleteNeedsExactConfirmation) {
  auto created = call("project_create", {{"name", "scratch"}});
  const fs::path root = (*created.structured)["project"]["root"].get<std::string>();
  std::ofstream(root / "notes.txt") << "x\n";

  auto refused = call("project_delete", {{"project", "scratch"}, {"confirm", "Scratch"}});
  ASSERT_TRUE(refused.is_error);
  EXPECT_NE(text_of(refused).find("confirm"), std::string::npos);
  EXPECT_TRUE(fs::exists(root / "notes.txt"));

  auto deleted = call("project_delete", {{"project", "scratch"}, {"confirm", "scratch"}});
  ASSERT_FALSE(deleted.is_error) << text_of(deleted);
  EXPECT_EQ((*deleted.structured)["workspace_deleted"], true);
  EXPECT_EQ((*deleted.structured)["deleted"]["name"], "scratch");
  EXPECT_FALSE(fs::exists(root));
  EXPECT_TRUE(call("project_get", {{"project", "scratch"}}).is_error);
}

TEST_F(ProjectToolsTest, DeletingAnExternalProjectKeepsItsDirectory) {
  const fs::path dir = temp_ / "mine";
  fs::create_directories(dir);
  std::ofstream(dir / "main.c") << "int main(void) { return 0; }\n";
  ASSERT_TRUE(service_->register_root(dir).ok());

  auto deleted = call("project_delete", {{"project", "mine"}, {"confirm", "mine"}});
  ASSERT_FALSE(deleted.is_error) << text_of(deleted);
  EXPECT_EQ((*deleted.structured)["workspace_deleted"], false);
  EXPECT_NE(text_of(deleted).find("left untouched"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "main.c"));
}

}  // namespace
}  // namespace benchtop
