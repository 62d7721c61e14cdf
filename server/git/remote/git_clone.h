// Cloning a repository into a new, empty project workspace.
#pragma once

#include <string>

#include "common/result.h"
#include "server/git/git_handles.h"
#include "server/git/remote/git_transfer.h"
#include "server/workspace/workspace.h"

namespace benchtop::git {

// Clones `url` into the workspace root when `options.policy` allows its transport (checked again
// on the URL libgit2 connects to) and it carries no credentials. The workspace root must be empty
// and still be the directory the workspace holds open (not a symlink leading elsewhere).
// `remote_branch` ("" = the remote's default) is checked out. Progress and cancellation come from
// `options`; a cancelled clone fails with code "cancelled". On failure the workspace may hold
// partial files: the caller removes it.
Result<RepositoryPtr> clone_into(const Workspace& workspace, const std::string& url,
                                 const std::string& remote_branch, const TransferOptions& options);

}  // namespace benchtop::git
