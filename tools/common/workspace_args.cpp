#include "tools/common/workspace_args.h"

namespace benchtop {

nlohmann::json project_property() {
  return {{"type", "string"},
          {"description",
           "Project id or name (see project_list). Optional when the server has a default "
           "project."}};
}

std::optional<std::string> optional_string(const nlohmann::json& arguments, const char* key) {
  auto it = arguments.find(key);
  if (it == arguments.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

size_t bounded_count(const nlohmann::json& arguments, const char* key, size_t fallback,
                     size_t lowest, size_t highest) {
  auto it = arguments.find(key);
  if (it == arguments.end() || !it->is_number()) return fallback;
  const double value = it->get<double>();
  if (value <= static_cast<double>(lowest)) return lowest;
  if (value >= static_cast<double>(highest)) return highest;
  return static_cast<size_t>(value);
}

Result<std::shared_ptr<const Workspace>> workspace_for(WorkspaceProvider& provider,
                                                       const nlohmann::json& arguments) {
  return provider.workspace(optional_string(arguments, "project"));
}

}  // namespace benchtop
