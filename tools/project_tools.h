// The project_* tools: create, list, inspect and delete projects (the workspaces the other tools
// act in).
#pragma once

#include "server/project_service.h"
#include "server/tool_registry.h"

namespace benchtop {

// Registers project_create, project_list, project_get and project_delete. `projects` must outlive
// the registry.
void register_project_tools(ToolRegistry& registry, ProjectService& projects);

}  // namespace benchtop
