// test_run and test_history: run a project's tests in its container and keep structured results.
#pragma once

#include "server/mcp/registry/tool_registry.h"
#include "server/process/command_runner.h"
#include "server/test_runs/test_run_store.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

// Registers test_run and test_history. Every test command runs through `runner` (the project's
// sandbox). All three services must outlive the registry.
void register_test_tools(ToolRegistry& registry, WorkspaceProvider& workspaces,
                         CommandRunner& runner, test_runs::TestRunStore& store);

}  // namespace benchtop
