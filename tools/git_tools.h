// The git_* tools: repository operations on a project's workspace, in-process with libgit2 and
// inside the workspace guard.
#pragma once

#include "server/git/git_settings.h"
#include "server/git/remote_url.h"
#include "server/tool_registry.h"
#include "server/workspace_provider.h"

namespace benchtop {

// Registers git_init, git_status, git_diff, git_log, git_show, git_add, git_commit, git_reset,
// git_stash, git_branch, git_checkout, git_remote, git_fetch, git_pull, git_push and
// git_settings. `workspaces` and `settings` must outlive the registry. Remotes may only use the
// transports `policy` allows.
void register_git_tools(ToolRegistry& registry, WorkspaceProvider& workspaces,
                        git::GitSettingsSource& settings,
                        const git::TransportPolicy& policy = git::TransportPolicy::defaults());

}  // namespace benchtop
