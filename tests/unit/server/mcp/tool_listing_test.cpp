#include "server/mcp/registry/tool_listing.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/mcp/schema/json_schema.h"

namespace benchtop {
namespace {

using nlohmann::json;

const json kFullSchema = json::parse(R"({
  "type": "object",
  "description": "A search result.",
  "properties": {
    "matches": {"type": "array", "description": "Each match.",
                "items": {"type": "object", "properties": {"path": {"type": "string"}},
                          "required": ["path"]}},
    "kind": {"type": "string", "enum": ["file", "directory"]},
    "limits": {"type": "object", "properties": {"cpus": {"type": ["number", "null"]}}},
    "truncated": {"type": "boolean"}
  },
  "required": ["matches", "truncated"],
  "additionalProperties": false
})");

TEST(ToolListingTest, OutputSchemasAreListedAsNamesAndTypes) {
  EXPECT_EQ(listed_output_schema(kFullSchema), json::parse(R"({
    "type": "object",
    "properties": {"matches": {"type": "array"}, "kind": {"type": "string"},
                   "limits": {"type": "object"}, "truncated": {"type": "boolean"}}
  })"));
}

// The listed schema may say less, never something else: whatever the full schema admits (which
// the server checks every result against), the listed one admits too.
TEST(ToolListingTest, EveryResultTheFullSchemaAdmitsTheListedOneAdmits) {
  auto full = JsonSchema::compile(kFullSchema);
  auto listed = JsonSchema::compile(listed_output_schema(kFullSchema));
  ASSERT_TRUE(full.ok() && listed.ok());
  for (const char* text : {R"({"matches": [], "truncated": false})",
                           R"({"matches": [{"path": "a"}], "truncated": true, "kind": "file",
                               "limits": {"cpus": null}})"}) {
    const json result = json::parse(text);
    EXPECT_FALSE(full->validate(result).has_value()) << text;
    EXPECT_FALSE(listed->validate(result).has_value()) << text;
  }
}

TEST(ToolListingTest, InputSchemasDropOnlyTheCapsThatBoundMemory) {
  const json input = json::parse(R"({
    "type": "object",
    "properties": {
      "command": {"type": "string", "minLength": 1, "maxLength": 100000},
      "name": {"type": "string", "maxLength": 63, "pattern": "^[a-z]+$"},
      "author": {"type": "string", "maxLength": 200},
      "files": {"type": "array", "maxItems": 100, "items": {"type": "string"}},
      "paths": {"type": "array", "maxItems": 1000, "items": {"type": "string", "maxLength": 4096}},
      "maxLength": {"type": "integer", "maximum": 5000}
    },
    "required": ["command"],
    "additionalProperties": false
  })");
  EXPECT_EQ(listed_input_schema(input), json::parse(R"({
    "type": "object",
    "properties": {
      "command": {"type": "string", "minLength": 1},
      "name": {"type": "string", "maxLength": 63, "pattern": "^[a-z]+$"},
      "author": {"type": "string"},
      "files": {"type": "array", "maxItems": 100, "items": {"type": "string"}},
      "paths": {"type": "array", "items": {"type": "string"}},
      "maxLength": {"type": "integer", "maximum": 5000}
    },
    "required": ["command"],
    "additionalProperties": false
  })"));
}

TEST(ToolListingTest, AnnotationsListOnlyHintsThatDifferFromTheDefaults) {
  EXPECT_EQ(listed_annotations({.read_only = true, .destructive = false, .idempotent = true}),
            json({{"readOnlyHint", true}, {"openWorldHint", false}}));
  EXPECT_EQ(listed_annotations(
                {.read_only = false, .destructive = true, .idempotent = false, .open_world = true}),
            json::object());
  EXPECT_EQ(listed_annotations({.read_only = false, .destructive = false, .idempotent = true}),
            json({{"destructiveHint", false}, {"idempotentHint", true}, {"openWorldHint", false}}));
}

TEST(ToolListingTest, AToolWhoseResultAnotherToolDescribesListsNoOutputSchema) {
  Tool tool;
  tool.name = "thaw";
  tool.title = "Thaw";
  tool.description = "Thaws; returns what status does.";
  tool.input_schema = {{"type", "object"}};
  tool.output_schema = kFullSchema;
  EXPECT_TRUE(listed_tool(tool).contains("outputSchema"));
  tool.output_schema_listed = false;
  const json listed = listed_tool(tool);
  EXPECT_FALSE(listed.contains("outputSchema"));
  EXPECT_EQ(listed["title"], "Thaw");
  EXPECT_FALSE(listed["annotations"].contains("title"));
}

}  // namespace
}  // namespace benchtop
