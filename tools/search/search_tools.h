// The search tools: fs_glob (find files by name pattern) and fs_grep (find lines by regular
// expression). Both walk the workspace through the symlink-safe tree walker, respect .gitignore
// and skip hidden entries by default.
#pragma once

#include "server/mcp/registry/tool_registry.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

void register_search_tools(ToolRegistry& registry, WorkspaceProvider& provider);

// The individual tools, for composition roots that want only one.
Tool fs_glob_tool(WorkspaceProvider& provider);
Tool fs_grep_tool(WorkspaceProvider& provider);

}  // namespace benchtop
