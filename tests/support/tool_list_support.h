// What a read-only tool family promises in tools/list: the annotations of a tool that only reads
// (readOnlyHint; destructiveHint and idempotentHint mean nothing beside it and are not listed),
// a closed input schema with every property but `project` described, and an output schema.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace benchtop::testing {

inline void expect_read_only_listing(const nlohmann::json& tool) {
  EXPECT_EQ(tool["annotations"]["readOnlyHint"], true) << tool["name"];
  EXPECT_FALSE(tool["annotations"].contains("destructiveHint")) << tool["name"];
  EXPECT_EQ(tool["annotations"]["openWorldHint"], false) << tool["name"];
  EXPECT_EQ(tool["inputSchema"]["additionalProperties"], false) << tool["name"];
  EXPECT_TRUE(tool.contains("outputSchema")) << tool["name"];
  for (const auto& [name, property] : tool["inputSchema"]["properties"].items()) {
    if (name == "project") continue;  // described once, in the server's instructions
    EXPECT_TRUE(property.contains("description")) << tool["name"] << "." << name;
  }
}

}  // namespace benchtop::testing
