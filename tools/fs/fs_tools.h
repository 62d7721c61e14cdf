// The fs_* file tools (read, write, edit, apply a patch, list, stat, delete, move), each acting
// inside a project workspace through the workspace guard. fs_glob and fs_grep live with the search
// tools.
#pragma once

#include "server/mcp/registry/tool_registry.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

// `provider` must outlive the registry's use of the tools.
void register_fs_tools(ToolRegistry& registry, WorkspaceProvider& provider);

}  // namespace benchtop
