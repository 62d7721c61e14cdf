#include "server/tool_registry.h"

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
  EXPECT_EQ(list[0]["annotations"]["readOnlyHint"], true);
}

TEST(ToolRegistry, RejectsDuplicatesAndBadNames) {
  ToolRegistry registry;
  registry.add(echo_tool("echo"));
  EXPECT_THROW(registry.add(echo_tool("echo")), std::invalid_argument);
  EXPECT_THROW(registry.add(echo_tool("bad name")), std::invalid_argument);
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
