// Opening a project's repository through the workspace guard, and the argument checks every git
// tool shares: no option smuggling, paths beneath the workspace, refs resolved before use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "server/git/git_handles.h"
#include "server/workspace/workspace.h"

namespace benchtop::git {

// Opens the repository whose work tree is the workspace root. Refused when the workspace root
// was replaced (e.g. by a symlink) since it was opened, when .git (or what git reads inside it)
// is reached through a symlink leaving the workspace, when .git is a "gitdir:" file (a linked
// work tree or submodule whose store lives elsewhere), and when core.worktree points away from
// the workspace. Never searches parent directories.
Result<RepositoryPtr> open_repository(const Workspace& workspace);

// Creates an empty repository in the workspace root (on branch `initial_branch`), or reports
// code "exists" when there already is one.
Result<RepositoryPtr> init_repository(const Workspace& workspace,
                                      const std::string& initial_branch);

// Checks that the workspace root path still names the directory the workspace holds open (not a
// symlink or a swapped directory), so libgit2, which works on path strings, writes there.
Status verify_root_unchanged(const Workspace& workspace);

// Refuses values that a git command line would read as an option ("-x", "--upload-pack=...").
// `what` names the argument in the message ("rev", "branch", "path").
Status refuse_option_like(std::string_view value, std::string_view what);

// A caller's path as a repository-relative path (forward slashes, no "." or ".." components),
// checked beneath the workspace by the kernel: a path through a symlink leaving the workspace is
// refused. The path need not exist (a deleted file can be staged).
Result<std::string> repository_path(const Workspace& workspace, std::string_view user_path);

// Resolves a revision (sha, branch, tag, HEAD~2, ...) to a commit, with a message that says
// how to find valid revisions when it does not exist.
Result<CommitPtr> resolve_commit(git_repository* repo, std::string_view rev);

// A local branch name that git accepts and that cannot be read as an option.
Status check_branch_name(std::string_view name);

// The current branch's short name; "" for a detached HEAD. `unborn` is set for a repository
// without commits.
std::string current_branch(git_repository* repo, bool* unborn = nullptr);

// Seven-character abbreviation of an object id.
std::string short_id(const git_oid* oid);
std::string full_id(const git_oid* oid);

}  // namespace benchtop::git
