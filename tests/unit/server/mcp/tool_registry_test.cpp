#include "server/mcp/registry/tool_registry.h"

#include <gtest/gtest.h>

namespace benchtop {
namespace {

Tool echo_tool(std::string name) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = "Echo";
  tool.description = "Returns its input.";
  tool.input_schema = {
      {"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}, {"required", {"text"}}};
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [](const nlohmann::json& args, ToolContext&) {
    return ToolResult::text(args.at("text").get<std::string>());
  };
  return tool;
}

TEST(ToolRegistry, ListsToolsInNameOrder) {
  ToolRegistry registry;
  registry.add(echo_tool("zeta"));
  registry.add(echo_tool("alpha"));
  auto list = registry.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "alpha");
  EXPECT_EQ(list[1]["name"], "zeta");
  EXPECT_EQ(list[0]["annotations"].value("readOnlyHint", false), true);
}

TEST(ToolRegistry, RejectsDuplicatesAndBadNames) {
  ToolRegistry registry;
  registry.add(echo_tool("echo"));
  EXPECT_THROW(registry.add(echo_tool("echo")), std::invalid_argument);
  EXPECT_THROW(registry.add(echo_tool("bad name")), std::invalid_argument);
}

TEST(ToolRegistry, AnInvalidSchemaIsReportedByCompileAllAndRefusedAtCall) {
  ToolRegistry registry;
  registry.add(echo_tool("fine"));
  Tool broken = echo_tool("broken");
  broken.input_schema["properties"]["text"]["minLength"] = "three";  // not a number
  registry.add(std::move(broken));
  Tool unknown_keyword = echo_tool("odd");
  unknown_keyword.output_schema = {{"type", "object"}, {"frobnicate", true}};
  registry.add(std::move(unknown_keyword));

  const Status checked = registry.compile_all();
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("'broken'"), std::string::npos) << checked.error().message;
  EXPECT_NE(checked.error().message.find("'odd'"), std::string::npos) << checked.error().message;
  EXPECT_EQ(checked.error().message.find("'fine'"), std::string::npos) << checked.error().message;

  ToolContext context;
  auto refused = registry.call("broken", {{"text", "x"}}, context);
  ASSERT_TRUE(refused.has_value());
  EXPECT_TRUE(refused->is_error);
  auto fine = registry.call("fine", {{"text", "x"}}, context);
  ASSERT_TRUE(fine.has_value());
  EXPECT_FALSE(fine->is_error);
}

TEST(ToolRegistry, CompileAllAcceptsValidSchemas) {
  ToolRegistry registry;
  registry.add(echo_tool("a"));
  registry.add(echo_tool("b"));
  EXPECT_TRUE(registry.compile_all().ok());
}

TEST(ToolRegistry, UnknownToolIsNullopt) {
  ToolRegistry registry;
  ToolContext context;
  EXPECT_FALSE(registry.call("missing", nlohmann::json::object(), context).has_value());
}

TEST(ToolRegistry, HandlerExceptionBecomesIsError) {
  ToolRegistry registry;
  Tool tool = echo_tool("boom");
  tool.handler = [](const nlohmann::json&, ToolContext&) -> ToolResult {
    throw std::runtime_error("kaput");
  };
  registry.add(std::move(tool));
  ToolContext context;
  auto result = registry.call("boom", {{"text", "x"}}, context);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->is_error);
}

}  // namespace
}  // namespace benchtop
