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

Result<std::shared_ptr<const Workspace>> workspace_for(WorkspaceProvider& provider,
                                                       const nlohmann::json& arguments) {
  return provider.workspace(optional_string(arguments, "project"));
}

}  // namespace benchtop
