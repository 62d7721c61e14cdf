// The git_* tools: repository operations on a project's workspace, in-process with libgit2 and
// inside the workspace guard.
#pragma once

#include <chrono>

#include "server/git/remote/remote_url.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/project/git_settings.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

// Registers git_init, git_status, git_diff, git_log, git_show, git_add, git_commit, git_reset,
// git_stash, git_branch, git_checkout, git_remote, git_fetch, git_pull, git_push and
// git_settings. `workspaces` and `settings` must outlive the registry. Remotes may only use the
// transports `policy` allows.
//
// Each call has a time budget: libgit2 opens files of the work tree and .git itself, with
// blocking I/O, so a FIFO planted as .gitignore or inside .git would otherwise hold the worker
// forever. Past its budget, or once cancelled, a call is interrupted (common/interrupt_scope.h)
// and fails with a message that says so.
struct GitCallBudgets {
  std::chrono::milliseconds local{std::chrono::minutes(2)};      // status, diff, add, commit...
  std::chrono::milliseconds transfer{std::chrono::minutes(30)};  // fetch, pull, push
};
void register_git_tools(ToolRegistry& registry, WorkspaceProvider& workspaces,
                        git::GitSettingsSource& settings,
                        const git::TransportPolicy& policy = git::TransportPolicy::defaults(),
                        GitCallBudgets budgets = {});

}  // namespace benchtop
