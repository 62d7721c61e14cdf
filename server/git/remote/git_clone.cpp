#include "server/git/remote/git_clone.h"

#include <dirent.h>
#include <fcntl.h>

#include "server/git/git_error.h"
#include "server/git/git_repository.h"
#include "server/git/remote/remote_url.h"

namespace benchtop::git {
namespace {

Result<bool> directory_empty(const Workspace& workspace) {
  auto fd = workspace.open_at("", O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.take_error();
  DIR* dir = ::fdopendir(fd->release());
  if (!dir) return Error::make("Cannot read the workspace directory.", "io_error");
  bool empty = true;
  while (dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") {
      empty = false;
      break;
    }
  }
  ::closedir(dir);
  return empty;
}

}  // namespace

Result<RepositoryPtr> clone_into(const Workspace& workspace, const std::string& url,
                                 const std::string& remote_branch, const TransferOptions& options) {
  if (auto status = refuse_option_like(url, "git_url"); !status) return status.take_error();
  if (url.empty()) return Error::make("git_url is empty.", "invalid_argument");
  auto parsed = parse_remote_url(url);
  if (!parsed) return parsed.take_error();
  if (auto status = refuse_embedded_credentials(*parsed); !status) return status.take_error();
  if (auto status = options.policy.check(url); !status) return status.take_error();
  if (!remote_branch.empty()) {
    if (auto status = check_branch_name(remote_branch); !status) return status.take_error();
  }
  if (auto status = verify_root_unchanged(workspace); !status) return status.take_error();
  auto empty = directory_empty(workspace);
  if (!empty) return empty.take_error();
  if (!*empty) {
    return Error::make("Cannot clone into a workspace that is not empty.", "exists");
  }

  TransferCallbacks callbacks(options);
  git_clone_options clone_options = GIT_CLONE_OPTIONS_INIT;
  callbacks.install(clone_options.fetch_opts);
  // Through the transport even for a local path, so that progress is reported and cancellation
  // is honoured (libgit2's local shortcut copies the object store without either).
  clone_options.local = GIT_CLONE_NO_LOCAL;
  if (!remote_branch.empty()) clone_options.checkout_branch = remote_branch.c_str();

  git_repository* raw = nullptr;
  const std::string path = workspace.root().string();
  const int rc = git_clone(&raw, url.c_str(), path.c_str(), &clone_options);
  RepositoryPtr repo(raw);
  if (rc < 0) {
    Error error = callbacks.failure("clone " + redact_url(url), rc);
    if (error.code == "cancelled") return Error::make("The clone was cancelled.", "cancelled");
    if (!remote_branch.empty() && rc == GIT_ENOTFOUND) {
      error.message += " Check that branch '" + remote_branch + "' exists on the remote.";
    }
    return error;
  }
  if (auto status = verify_root_unchanged(workspace); !status) return status.take_error();
  return repo;
}

}  // namespace benchtop::git
