// The tools that run commands in a project's dev container: devcontainer_* (lifecycle and
// status), shell_exec (one command to completion) and process_* (background processes). Every
// one refuses with a clear message while the exec kill switch is on.
#pragma once

#include <chrono>

#include "server/mcp/registry/tool_registry.h"
#include "server/preview/preview_links.h"
#include "server/process/command_runner.h"
#include "server/sandbox/container_manager.h"

namespace benchtop {

// devcontainer_ensure, devcontainer_status, devcontainer_suspend, devcontainer_resume,
// devcontainer_destroy. `containers` must outlive the registry, and so must `previews` (may be
// null: statuses then list ports without preview URLs).
void register_devcontainer_tools(ToolRegistry& registry, ContainerManager& containers,
                                 const PreviewLinks* previews = nullptr);

// shell_exec. `containers` provides the kill switch; commands go through `runner` (normally the
// same manager).
void register_shell_tools(ToolRegistry& registry, ContainerManager& containers,
                          CommandRunner& runner);

struct ProcessToolOptions {
  // Preview URLs of the ports process_start reports (null: ports without URLs). Must outlive
  // the registry.
  const PreviewLinks* previews = nullptr;
  // The longest process_start waits for `wait_for_port` (the call's cancellation ends it sooner).
  std::chrono::milliseconds port_wait_limit{std::chrono::seconds(60)};
  // How often the sandbox is asked meanwhile (and while process_kill waits for the end).
  std::chrono::milliseconds port_poll_interval{50};
  // How long process_kill waits for a process to end after TERM, INT, QUIT or KILL.
  std::chrono::milliseconds stop_wait_limit{std::chrono::seconds(3)};
};

// process_start, process_read, process_write, process_kill, process_list.
void register_process_tools(ToolRegistry& registry, ContainerManager& containers,
                            ProcessToolOptions options = {});

// All three families.
void register_exec_tools(ToolRegistry& registry, ContainerManager& containers,
                         const PreviewLinks* previews = nullptr);

}  // namespace benchtop
