// Which tools a server offers: families, names, read-only, one project, and tools withdrawn while
// the kill switch is on. A tool left out must be absent from every list and unknown to calls.
#include "server/mcp/registry/tool_selection.h"

#include <gtest/gtest.h>

#include <atomic>

#include "server/mcp/registry/tool_registry.h"

namespace benchtop {
namespace {

Tool tool_named(std::string name, bool read_only) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = tool.name;
  tool.description = "A tool.";
  tool.input_schema = {
      {"type", "object"},
      {"properties", {{"project", {{"type", "string"}}}, {"path", {{"type", "string"}}}}},
      {"required", {"project", "path"}},
      {"additionalProperties", false}};
  tool.annotations = {.read_only = read_only, .destructive = !read_only, .idempotent = read_only};
  tool.handler = [](const nlohmann::json&, ToolContext&) { return ToolResult::text("ran"); };
  return tool;
}

// fs_read, fs_write (fs), fs_grep (search), shell_exec (exec, runs commands), project_list.
void fill(ToolRegistry& registry) {
  {
    ToolRegistry::ToolsetScope family(registry, "fs");
    registry.add(tool_named("fs_read", true));
    registry.add(tool_named("fs_write", false));
  }
  {
    ToolRegistry::ToolsetScope family(registry, "search");
    registry.add(tool_named("fs_grep", true));
  }
  {
    ToolRegistry::ToolsetScope family(registry, "exec");
    Tool shell = tool_named("shell_exec", false);
    shell.runs_commands = true;
    registry.add(std::move(shell));
  }
  ToolRegistry::ToolsetScope family(registry, "projects");
  registry.add(tool_named("project_list", true));
}

std::vector<std::string> names(const ToolRegistry& registry) {
  std::vector<std::string> listed;
  for (const auto& tool : registry.list()) listed.push_back(tool["name"]);
  return listed;
}

using Names = std::vector<std::string>;

TEST(ToolSelection, EverythingByDefault) {
  ToolRegistry registry;
  fill(registry);
  ASSERT_TRUE(registry.select(ToolSelection{}).ok());
  EXPECT_EQ(names(registry),
            (Names{"fs_grep", "fs_read", "fs_write", "project_list", "shell_exec"}));
  EXPECT_EQ(registry.toolsets(), (std::set<std::string>{"exec", "fs", "projects", "search"}));
}

TEST(ToolSelection, FamiliesAndReadOnlyLeaveTheRestOutOfListsAndCalls) {
  ToolRegistry registry;
  fill(registry);
  ToolSelection selection;
  selection.toolsets = std::set<std::string>{"fs", "search"};
  selection.read_only = true;
  ASSERT_TRUE(registry.select(selection).ok());
  EXPECT_EQ(names(registry), (Names{"fs_grep", "fs_read"}));
  ToolContext context;
  EXPECT_FALSE(registry.call("fs_write", {{"project", "p"}, {"path", "x"}}, context));
  EXPECT_FALSE(registry.call("shell_exec", {{"project", "p"}, {"path", "x"}}, context));
  EXPECT_FALSE(registry.contains("fs_write"));
  EXPECT_EQ(registry.input_schema("fs_write"), nullptr);
  auto read = registry.call("fs_read", {{"project", "p"}, {"path", "x"}}, context);
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->is_error);
}

TEST(ToolSelection, NamedToolsAddToFamiliesOrStandAlone) {
  ToolRegistry with_family;
  fill(with_family);
  ToolSelection plus;
  plus.toolsets = std::set<std::string>{"search"};
  plus.tools = {"fs_read"};
  ASSERT_TRUE(with_family.select(plus).ok());
  EXPECT_EQ(names(with_family), (Names{"fs_grep", "fs_read"}));

  ToolRegistry alone;
  fill(alone);
  ToolSelection only;
  only.tools = {"shell_exec"};
  ASSERT_TRUE(alone.select(only).ok());
  EXPECT_EQ(names(alone), (Names{"shell_exec"}));

  ToolRegistry excluded;
  fill(excluded);
  ToolSelection minus;
  minus.excluded = {"shell_exec", "fs_write"};
  ASSERT_TRUE(excluded.select(minus).ok());
  EXPECT_EQ(names(excluded), (Names{"fs_grep", "fs_read", "project_list"}));
}

TEST(ToolSelection, UnknownNamesAreRefusedAndChangeNothing) {
  ToolRegistry registry;
  fill(registry);
  ToolSelection selection;
  selection.toolsets = std::set<std::string>{"fs", "filesystem"};
  selection.excluded = {"fs_delete_everything"};
  const Status refused = registry.select(selection);
  ASSERT_FALSE(refused.ok());
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("no toolset named filesystem"), std::string::npos) << message;
  EXPECT_NE(message.find("exec, fs, projects, search"), std::string::npos) << message;
  EXPECT_NE(message.find("no tool named fs_delete_everything"), std::string::npos) << message;
  EXPECT_EQ(names(registry).size(), 5u);
}

TEST(ToolSelection, OneProjectDropsTheProjectArgumentEverywhere) {
  ToolRegistry registry;
  fill(registry);
  ToolSelection single;
  single.single_project = true;
  ASSERT_TRUE(registry.select(single).ok());
  for (const auto& tool : registry.list()) {
    EXPECT_FALSE(tool["inputSchema"]["properties"].contains("project")) << tool;
    EXPECT_EQ(tool["inputSchema"]["required"], nlohmann::json({"path"})) << tool;
  }
  ToolContext context;
  auto named = registry.call("fs_read", {{"project", "p"}, {"path", "x"}}, context);
  ASSERT_TRUE(named);
  EXPECT_TRUE(named->is_error) << "a project can no longer be named";
  auto plain = registry.call("fs_read", {{"path", "x"}}, context);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->is_error);
}

TEST(ToolSelection, HiddenToolsComeAndGoWithTheKillSwitch) {
  ToolRegistry registry;
  fill(registry);
  std::atomic<bool> exec_enabled = false;
  registry.set_hidden([&](const Tool& tool) { return tool.runs_commands && !exec_enabled.load(); });
  EXPECT_EQ(names(registry), (Names{"fs_grep", "fs_read", "fs_write", "project_list"}));
  ToolContext context;
  EXPECT_FALSE(registry.call("shell_exec", {{"project", "p"}, {"path", "x"}}, context));
  EXPECT_FALSE(registry.offered_to_builtin_agent("shell_exec"));
  EXPECT_EQ(registry.list_for_builtin_agent().size(), 4u);
  exec_enabled = true;
  EXPECT_EQ(names(registry).size(), 5u);
  EXPECT_TRUE(registry.call("shell_exec", {{"project", "p"}, {"path", "x"}}, context));
}

TEST(ToolSelection, NameListsAreParsedWhole) {
  EXPECT_EQ(*parse_name_list("--toolsets", "fs,search"), (std::set<std::string>{"fs", "search"}));
  EXPECT_EQ(*parse_name_list("--toolsets", " fs , git "), (std::set<std::string>{"fs", "git"}));
  for (const char* bad : {"", ",", "fs,", ",fs", "fs,,git", "fs,fs"}) {
    auto parsed = parse_name_list("--toolsets", bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("--toolsets"), std::string::npos);
  }
}

TEST(ToolSelection, TheProjectArgumentIsDroppedFromASchemaAlone) {
  nlohmann::json schema = {{"type", "object"},
                           {"properties", {{"project", {{"type", "string"}}}}},
                           {"required", {"project"}}};
  drop_project_argument(schema);
  EXPECT_EQ(schema, nlohmann::json({{"type", "object"}, {"properties", nlohmann::json::object()}}));
}

}  // namespace
}  // namespace benchtop
