// test_run and test_history: run a project's tests in its container and keep structured results.
#pragma once

#include "server/exec/command_runner.h"
#include "server/testing/test_run_store.h"
#include "server/tool_registry.h"
#include "server/workspace_provider.h"

namespace benchtop {

// Registers test_run and test_history. Every test command runs through `runner` (the project's
// sandbox). All three services must outlive the registry.
void register_test_tools(ToolRegistry& registry, WorkspaceProvider& workspaces,
                         CommandRunner& runner, test_runs::TestRunStore& store);

}  // namespace benchtop
