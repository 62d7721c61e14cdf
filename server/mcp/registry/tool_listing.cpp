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

}  // namespace

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
      {"inputSchema", tool.input_schema},
      {"annotations", listed_annotations(tool.annotations)},
  };
  if (!tool.output_schema.is_null() && tool.output_schema_listed) {
    item["outputSchema"] = listed_output_schema(tool.output_schema);
  }
  return item;
}

}  // namespace benchtop
