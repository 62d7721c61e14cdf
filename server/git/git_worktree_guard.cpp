#include "server/git/git_worktree_guard.h"

#include <sys/stat.h>

#include <set>
#include <string>

#include "server/git/git_error.h"

namespace benchtop::git {
namespace {

Error symlink_error(const std::string& directory) {
  return Error::make("Refused: '" + directory +
                         "' is a symlink where the repository has a directory, and git would "
                         "write or delete files through it. Remove the symlink (or replace it "
                         "with a real directory) and try again.",
                     "outside_workspace");
}

// A directory the repository tracks: it must be missing or a real directory beneath the root.
Status check_directory(const Workspace& workspace, const std::string& directory) {
  auto status = workspace.stat_at(directory, /*follow_final_symlink=*/false);
  if (!status) {
    if (status.error().code == "not_found" || status.error().code == "not_directory") return {};
    if (status.error().code == "outside_workspace") return symlink_error(directory);
    return status.take_error();
  }
  if (S_ISLNK(status->st_mode)) return symlink_error(directory);
  return {};
}

struct WalkState {
  const Workspace* workspace;
  std::set<std::string>* checked;
  Status status;
};

int visit(const char* root, const git_tree_entry* entry, void* payload) {
  auto* state = static_cast<WalkState*>(payload);
  if (git_tree_entry_type(entry) != GIT_OBJECT_TREE) return 0;
  const std::string directory = std::string(root) + git_tree_entry_name(entry);
  if (!state->checked->insert(directory).second) return 0;
  if (auto status = check_directory(*state->workspace, directory); !status) {
    state->status = std::move(status);
    return -1;
  }
  return 0;
}

}  // namespace

Status guard_work_tree_writes(const Workspace& workspace, git_repository* repo,
                              const std::vector<const git_tree*>& targets) {
  std::set<std::string> checked;
  git_index* raw = nullptr;
  if (git_repository_index(&raw, repo) == 0) {
    IndexPtr index(raw);
    const size_t count = git_index_entrycount(index.get());
    for (size_t i = 0; i < count; ++i) {
      const git_index_entry* entry = git_index_get_byindex(index.get(), i);
      std::string path = entry->path;
      // Every parent directory of the entry, shortest first.
      for (size_t slash = path.find('/'); slash != std::string::npos;
           slash = path.find('/', slash + 1)) {
        std::string directory = path.substr(0, slash);
        if (!checked.insert(directory).second) continue;
        if (auto status = check_directory(workspace, directory); !status) return status;
      }
    }
  }
  for (const git_tree* tree : targets) {
    if (!tree) continue;
    WalkState state{&workspace, &checked, {}};
    const int rc = git_tree_walk(tree, GIT_TREEWALK_PRE, &visit, &state);
    if (!state.status) return state.status;
    if (rc < 0) return git_failure("Cannot read the tree", rc);
  }
  return {};
}

}  // namespace benchtop::git
