#include "server/mcp/registry/tool_listing.h"

namespace benchtop {
namespace {

// Levels of nesting listed below the result object: its properties, each by name and type. What
// an array holds or an object contains the model sees in the first result.
constexpr int kListedDepth = 1;

nlohmann::json shape(const nlohmann::json& schema, int depth) {
  nlohmann::json listed = nlohmann::json::object();
  if (!schema.is_object()) return listed;
  if (auto type = schema.find("type"); type != schema.end()) listed["type"] = *type;
  if (depth >= kListedDepth) return listed;
  if (auto properties = schema.find("properties");
      properties != schema.end() && properties->is_object()) {
    nlohmann::json& listed_properties = listed["properties"] = nlohmann::json::object();
    for (const auto& [name, property] : properties->items()) {
      listed_properties[name] = shape(property, depth + 1);
    }
  }
  if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
    listed["items"] = shape(*items, depth + 1);
  }
  return listed;
}

// Size caps at or above this are there to bound memory, not to guide a call: no sensible
// argument comes near them (a 200-character author name, a 100,000-character command).
constexpr int64_t kGuardCap = 200;

bool guard_cap(const std::string& keyword, const nlohmann::json& value) {
  return (keyword == "maxLength" || keyword == "maxItems" || keyword == "maxProperties") &&
         value.is_number_integer() && value.get<int64_t>() >= kGuardCap;
}

}  // namespace

nlohmann::json listed_input_schema(const nlohmann::json& schema) {
  if (schema.is_array()) {
    nlohmann::json listed = nlohmann::json::array();
    for (const auto& item : schema) listed.push_back(listed_input_schema(item));
    return listed;
  }
  if (!schema.is_object()) return schema;
  nlohmann::json listed = nlohmann::json::object();
  for (const auto& [keyword, value] : schema.items()) {
    if (guard_cap(keyword, value)) continue;
    // Inside "properties" the keys are argument names, not keywords: they are all kept.
    listed[keyword] = listed_input_schema(value);
  }
  return listed;
}

nlohmann::json listed_output_schema(const nlohmann::json& schema) {
  return shape(schema, 0);
}

nlohmann::json listed_annotations(const ToolAnnotations& annotations) {
  nlohmann::json listed = nlohmann::json::object();
  if (annotations.read_only) {
    listed["readOnlyHint"] = true;
  } else {
    if (!annotations.destructive) listed["destructiveHint"] = false;
    if (annotations.idempotent) listed["idempotentHint"] = true;
  }
  if (!annotations.open_world) listed["openWorldHint"] = false;
  return listed;
}

nlohmann::json listed_tool(const Tool& tool) {
  nlohmann::json item = {
      {"name", tool.name},
      {"title", tool.title},
      {"description", tool.description},
      {"inputSchema", listed_input_schema(tool.input_schema)},
      {"annotations", listed_annotations(tool.annotations)},
  };
  if (!tool.output_schema.is_null() && tool.output_schema_listed) {
    item["outputSchema"] = listed_output_schema(tool.output_schema);
  }
  return item;
}

}  // namespace benchtop
