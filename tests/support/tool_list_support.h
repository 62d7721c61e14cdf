// What a read-only tool family promises in tools/list: the annotations of a tool that only reads,
// a closed input schema with every property described, and an output schema.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace benchtop::testing {

inline void expect_read_only_listing(const nlohmann::json& tool) {
  EXPECT_EQ(tool["annotations"]["readOnlyHint"], true) << tool["name"];
  EXPECT_EQ(tool["annotations"]["idempotentHint"], true) << tool["name"];
  EXPECT_EQ(tool["annotations"]["destructiveHint"], false) << tool["name"];
  EXPECT_EQ(tool["inputSchema"]["additionalProperties"], false) << tool["name"];
  EXPECT_TRUE(tool.contains("outputSchema")) << tool["name"];
  for (const auto& [name, property] : tool["inputSchema"]["properties"].items()) {
    EXPECT_TRUE(property.contains("description")) << tool["name"] << "." << name;
  }
}

}  // namespace benchtop::testing
