// The tools that run commands in a project's dev container: devcontainer_* (lifecycle and
// status), shell_exec (one command to completion) and process_* (background processes). Every
// one refuses with a clear message while the exec kill switch is on.
#pragma once

#include "server/mcp/registry/tool_registry.h"
#include "server/process/command_runner.h"
#include "server/sandbox/container_manager.h"

namespace benchtop {

// devcontainer_ensure, devcontainer_status, devcontainer_suspend, devcontainer_resume,
// devcontainer_destroy. `containers` must outlive the registry.
void register_devcontainer_tools(ToolRegistry& registry, ContainerManager& containers);

// shell_exec. `containers` provides the kill switch; commands go through `runner` (normally the
// same manager).
void register_shell_tools(ToolRegistry& registry, ContainerManager& containers,
                          CommandRunner& runner);

// process_start, process_read, process_write, process_kill, process_list.
void register_process_tools(ToolRegistry& registry, ContainerManager& containers);

// All three families.
void register_exec_tools(ToolRegistry& registry, ContainerManager& containers);

}  // namespace benchtop
