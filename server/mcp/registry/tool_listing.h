// How a tool is written into tools/list. Every byte of that list is context a model pays for on
// every turn, so the listing keeps what a model needs to act and leaves out what it can do
// without: output schemas are listed as the shape of the result (its properties' names and
// types) while the full schema, with descriptions, enums and required fields, stays on the
// server and checks every result; annotations list only the hints that differ from the
// specification's defaults, and no second copy of the title. Input schemas are listed whole but
// for the caps that only bound memory (a 100,000-character command, 1,000 paths): enforced, not
// listed.
#pragma once

#include <nlohmann/json.hpp>

#include "server/mcp/registry/tool.h"

namespace benchtop {

// The tools/list entry of `tool`.
nlohmann::json listed_tool(const Tool& tool);

// `schema` without its size caps of 200 or more (maxLength, maxItems, maxProperties), which
// the server still enforces. Every value valid under `schema` is valid under the result.
nlohmann::json listed_input_schema(const nlohmann::json& schema);

// The shape of `schema` as listed: a schema every value valid under `schema` also satisfies.
nlohmann::json listed_output_schema(const nlohmann::json& schema);

// The annotations object: readOnlyHint, destructiveHint, idempotentHint and openWorldHint, each
// only when it differs from its default (false, true, false, true); a read-only tool lists
// neither destructiveHint nor idempotentHint, which mean nothing for it.
nlohmann::json listed_annotations(const ToolAnnotations& annotations);

}  // namespace benchtop
