#include "server/project/project_resolver.h"

namespace benchtop {

ProjectResolver project_resolver(ProjectService& projects) {
  return [&projects](const std::optional<std::string>& name) -> Result<ContainerProject> {
    auto project = projects.resolve(name);
    if (!project) return project.take_error();
    return ContainerProject{project->id, project->name, project->root};
  };
}

}  // namespace benchtop
