// tools/list as a client receives it is context a model pays for on every turn: these budgets keep
// it lean. Sizes are of compact JSON, measured over stdio from the real binary with every tool
// enabled (and with only the file and search toolsets). A failure prints each tool's size; see
// docs/tool-list-sizes.md for the table and how to make room.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "e2e/stdio_client.h"
#include "tests/support/tool_list_support.h"

namespace benchtop::e2e {
namespace {

using nlohmann::json;

constexpr size_t kWholeListBudget = 40'000;
constexpr size_t kNameDescriptionInputBudget = 24'000;
constexpr size_t kFilesAndSearchBudget = 10'000;

size_t compact_size(const json& value) {
  return value.dump().size();
}

json listed_tools(const std::vector<std::string>& extra_args) {
  StdioClient client(json::object(), extra_args);
  json response = client.request("list", "tools/list", json::object());
  EXPECT_TRUE(response["result"]["tools"].is_array()) << response;
  return response["result"].value("tools", json::array());
}

// Each tool's size, largest first: what to look at when a budget is exceeded.
std::string size_table(const json& tools) {
  std::vector<std::pair<size_t, std::string>> sizes;
  for (const json& tool : tools) sizes.emplace_back(compact_size(tool), tool.value("name", ""));
  std::sort(sizes.rbegin(), sizes.rend());
  std::ostringstream table;
  for (const auto& [size, name] : sizes) table << "  " << size << "  " << name << "\n";
  return table.str();
}

TEST(ToolListBudgetE2e, TheWholeListAndItsCoreStayWithinBudget) {
  const json tools = listed_tools({});
  ASSERT_GE(tools.size(), 40u);
  const size_t whole = compact_size(json{{"tools", tools}});
  size_t core = 0;
  for (const json& tool : tools) {
    core += compact_size(json{{"name", tool["name"]},
                              {"description", tool["description"]},
                              {"inputSchema", tool["inputSchema"]}});
  }
  EXPECT_LE(whole, kWholeListBudget) << size_table(tools);
  EXPECT_LE(core, kNameDescriptionInputBudget) << size_table(tools);
  RecordProperty("whole_bytes", static_cast<int>(whole));
  RecordProperty("name_description_input_bytes", static_cast<int>(core));
}

TEST(ToolListBudgetE2e, FilesAndSearchAloneStayWithinBudget) {
  const json tools = listed_tools({"--toolsets", "fs,search"});
  ASSERT_FALSE(tools.empty());
  for (const json& tool : tools) {
    const std::string name = tool["name"];
    EXPECT_TRUE(name.starts_with("fs_") || name.starts_with("code_")) << name;
  }
  const size_t whole = compact_size(json{{"tools", tools}});
  EXPECT_LE(whole, kFilesAndSearchBudget) << size_table(tools);
  RecordProperty("bytes", static_cast<int>(whole));
}

// What keeps the list small must not cost a model what it needs to act: every tool still says
// what it does, every argument what it is for (but `project`, explained in the server's
// instructions, and those whose name says it all), and a listed output schema names the result's
// fields.
TEST(ToolListBudgetE2e, LeanEntriesStillDescribeThemselves) {
  for (const json& tool : listed_tools({})) {
    const std::string name = tool["name"];
    EXPECT_GE(tool.value("description", "").size(), 20u) << name;
    EXPECT_FALSE(tool.value("title", "").empty()) << name;
    for (const auto& [argument, schema] : tool["inputSchema"]["properties"].items()) {
      if (!testing::argument_needs_description(name, argument)) continue;
      EXPECT_TRUE(schema.contains("description")) << name << "." << argument;
    }
    if (tool.contains("outputSchema")) {
      EXPECT_EQ(tool["outputSchema"]["type"], "object") << name;
      EXPECT_FALSE(tool["outputSchema"]["properties"].empty()) << name;
    }
  }
}

}  // namespace
}  // namespace benchtop::e2e
