// A registry holding the fs_* tools over a temporary workspace, for the fs tool tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "server/mcp/registry/tool_registry.h"
#include "tests/support/fs_test_support.h"
#include "tools/fs/fs_tools.h"

namespace benchtop::testing {

class FsToolsFixture : public ::testing::Test {
 protected:
  FsToolsFixture() : provider_(dirs_.root()) { register_fs_tools(registry_, provider_); }

  ToolResult call(const std::string& tool, const nlohmann::json& arguments) {
    ToolContext context;
    auto result = registry_.call(tool, arguments, context);
    if (!result) {
      ADD_FAILURE() << "no tool " << tool;
      return ToolResult::error("no such tool");
    }
    return *result;
  }

  // The concatenated text items of a result.
  static std::string text_of(const ToolResult& result) {
    std::string text;
    for (const auto& item : result.content) {
      if (item.value("type", "") == "text") text += item.value("text", "");
    }
    return text;
  }

  std::filesystem::path root() const { return dirs_.root(); }
  std::filesystem::path outside() const { return dirs_.outside(); }

  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_;
  ToolRegistry registry_;
};

}  // namespace benchtop::testing
