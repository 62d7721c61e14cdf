#include "server/mcp/registry/tool_selection.h"

#include <algorithm>

#include "common/text.h"

namespace benchtop {

bool ToolSelection::admits(const Tool& tool) const {
  if (excluded.count(tool.name)) return false;
  if (read_only && !tool.annotations.read_only) return false;
  if (tools.count(tool.name)) return true;
  if (toolsets) return toolsets->count(tool.toolset) != 0;
  return tools.empty();
}

void drop_project_argument(nlohmann::json& input_schema) {
  if (auto properties = input_schema.find("properties"); properties != input_schema.end()) {
    properties->erase("project");
  }
  auto required = input_schema.find("required");
  if (required == input_schema.end() || !required->is_array()) return;
  required->erase(std::remove(required->begin(), required->end(), "project"), required->end());
  if (required->empty()) input_schema.erase("required");
}

Result<std::set<std::string>> parse_name_list(std::string_view flag, std::string_view text) {
  std::set<std::string> names;
  for (;;) {
    const size_t comma = text.find(',');
    const auto name = trim_whitespace(text.substr(0, comma));
    if (name.empty()) {
      return Error::make(std::string(flag) + " needs comma-separated names, e.g. fs,search");
    }
    if (!names.emplace(name).second) {
      return Error::make(std::string(flag) + ": '" + std::string(name) + "' is named twice");
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return names;
}

}  // namespace benchtop
