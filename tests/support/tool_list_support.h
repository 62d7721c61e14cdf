// What a read-only tool family promises in tools/list: the annotations of a tool that only reads
// (readOnlyHint; destructiveHint and idempotentHint mean nothing beside it and are not listed),
// a closed input schema with every property but `project` described, and an output schema.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace benchtop::testing {

// Whether an argument must carry a description in tools/list: all do but `project` (described
// once, in the server's instructions) and the few whose name says everything a description would.
inline bool argument_needs_description(const std::string& tool, const std::string& argument) {
  static const std::set<std::string> kSelfDescribing = {
      "fs_grep.ignore_case",      "fs_read.line_numbers",      "fs_write.content",
      "fs_apply_patch.patch",     "git_commit.message",        "git_diff.staged",
      "git_settings.author_name", "git_settings.author_email", "git_settings.https_username"};
  return argument != "project" && !kSelfDescribing.count(tool + "." + argument);
}

inline void expect_read_only_listing(const nlohmann::json& tool) {
  EXPECT_EQ(tool["annotations"]["readOnlyHint"], true) << tool["name"];
  EXPECT_FALSE(tool["annotations"].contains("destructiveHint")) << tool["name"];
  EXPECT_EQ(tool["annotations"]["openWorldHint"], false) << tool["name"];
  EXPECT_EQ(tool["inputSchema"]["additionalProperties"], false) << tool["name"];
  EXPECT_TRUE(tool.contains("outputSchema")) << tool["name"];
  for (const auto& [name, property] : tool["inputSchema"]["properties"].items()) {
    if (!argument_needs_description(tool["name"], name)) continue;
    EXPECT_TRUE(property.contains("description")) << tool["name"] << "." << name;
  }
}

}  // namespace benchtop::testing
