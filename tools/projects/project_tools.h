// The project_* tools: create, list, inspect and delete projects (the workspaces the other tools
// act in).
#pragma once

#include "server/git/remote/remote_url.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/project/git_settings.h"
#include "server/project/project_service.h"

namespace benchtop {

// Registers project_create, project_list, project_get and project_delete. `projects` must outlive
// the registry.
// project_create's git_url may only use the transports `policy` allows.
void register_project_tools(ToolRegistry& registry, ProjectService& projects,
                            const git::TransportPolicy& policy = git::TransportPolicy::defaults());

// The same, with project_create also accepting HTTPS credentials for git_url, which it stores in
// the new project's git settings (so later fetch/pull/push use them too). `git_settings` must
// outlive the registry.
void register_project_tools(ToolRegistry& registry, ProjectService& projects,
                            git::GitSettingsSource& git_settings,
                            const git::TransportPolicy& policy = git::TransportPolicy::defaults());

}  // namespace benchtop
