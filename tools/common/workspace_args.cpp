#include "tools/common/workspace_args.h"

namespace benchtop {

nlohmann::json project_property() {
  // The one argument every project tool has: what it is (an id or name from project_list), and
  // that it may be omitted when there is a default project, is said once, in the server's
  // instructions, not in each of forty schemas.
  return {{"type", "string"}};
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

std::function<std::vector<std::string>(const nlohmann::json& arguments)> paths_in_arguments(
    std::vector<std::string> keys) {
  return [keys = std::move(keys)](const nlohmann::json& arguments) {
    std::vector<std::string> paths;
    for (const auto& key : keys) {
      auto value = arguments.find(key);
      if (value != arguments.end() && value->is_string())
        paths.push_back(value->get<std::string>());
    }
    return paths;
  };
}

}  // namespace benchtop
