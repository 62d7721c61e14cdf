// code_check: syntax and lint diagnostics for files or the whole project, from the checkers the
// project's sandbox has (server/code/check/). It runs commands, so it is withdrawn with the other
// command tools while execution is disabled.
#pragma once

#include "server/mcp/registry/tool_registry.h"
#include "server/process/command_runner.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

// Checkers run through `runner` (the project's sandbox). Both services must outlive the registry.
Tool code_check_tool(WorkspaceProvider& provider, CommandRunner& runner);

}  // namespace benchtop
