// The container manager finds a project's id, name and workspace through a resolver, so the
// sandbox knows nothing of how projects are stored; this one resolves through the project service.
#pragma once

#include "server/project/project_service.h"
#include "server/sandbox/container_manager.h"

namespace benchtop {

ProjectResolver project_resolver(ProjectService& projects);

}  // namespace benchtop
