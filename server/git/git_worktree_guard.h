// libgit2 writes the work tree through path strings and follows a symlink that stands where a
// tracked directory should be, so a checkout, hard reset, pull or stash could write or delete
// files outside the workspace. Before any of them, every directory the index or the target trees
// hold is checked beneath the workspace (openat2): a symlink in its place is refused.
#pragma once

#include <vector>

#include "common/result.h"
#include "server/git/git_handles.h"
#include "server/workspace/workspace.h"

namespace benchtop::git {

// Checks the directories of the index's entries and of each tree in `targets` (null entries are
// skipped). Residual race: a directory swapped for a symlink after this check and before the write
// is not caught, since libgit2 itself resolves paths as strings.
Status guard_work_tree_writes(const Workspace& workspace, git_repository* repo,
                              const std::vector<const git_tree*>& targets);

}  // namespace benchtop::git
