#include "server/git/git_repository.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "server/git/git_error.h"

namespace benchtop::git {
namespace {

// What libgit2 reads inside .git: each must stay beneath the workspace.
constexpr const char* kGitInternals[] = {".git/HEAD", ".git/config", ".git/objects", ".git/refs",
                                         ".git/index"};

Error escape_error(std::string_view what) {
  return Error::make("Refused: " + std::string(what) +
                         " is reached through a symlink that leaves the workspace. Replace the "
                         "symlink with a real directory inside the project, or run git_init.",
                     "outside_workspace");
}

bool same_directory(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

}  // namespace

Status verify_root_unchanged(const Workspace& workspace) {
  struct stat held {};
  struct stat named {};
  if (::fstat(workspace.root_fd(), &held) != 0 || ::lstat(workspace.root().c_str(), &named) != 0 ||
      !S_ISDIR(named.st_mode) || held.st_dev != named.st_dev || held.st_ino != named.st_ino) {
    return Error::make("Refused: the workspace directory " + workspace.root().string() +
                           " was replaced or is now a symlink. Restore the project's directory "
                           "(or re-create the project) and try again.",
                       "outside_workspace");
  }
  return {};
}

Result<RepositoryPtr> open_repository(const Workspace& workspace) {
  if (auto status = verify_root_unchanged(workspace); !status) return status.take_error();
  auto git_dir = workspace.stat_at(".git", /*follow_final_symlink=*/false);
  if (!git_dir) {
    if (git_dir.error().code == "not_found") {
      return Error::make(
          "The project is not a git repository (no .git in its workspace). Call "
          "git_init to create one, or create the project from a repository with "
          "project_create git_url.",
          "not_a_repository");
    }
    return git_dir.take_error();
  }
  if (S_ISLNK(git_dir->st_mode)) {
    // Allowed only while it resolves beneath the workspace.
    if (workspace.classify_link(".git") != Workspace::LinkTarget::kInside) {
      return escape_error(".git");
    }
  }
  auto resolved = workspace.stat_at(".git", /*follow_final_symlink=*/true);
  if (!resolved) {
    if (resolved.error().code == "outside_workspace") return escape_error(".git");
    return resolved.take_error();
  }
  if (!S_ISDIR(resolved->st_mode)) {
    return Error::make(
        "Refused: .git is a file pointing at a repository stored elsewhere (a linked "
        "work tree or submodule); only repositories stored inside the workspace "
        "can be used.",
        "outside_workspace");
  }
  for (const char* internal : kGitInternals) {
    auto inside = workspace.stat_at(internal, /*follow_final_symlink=*/true);
    if (!inside && inside.error().code == "outside_workspace") return escape_error(internal);
  }

  git_repository* raw = nullptr;
  const std::string path = workspace.root().string();
  int rc = git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  RepositoryPtr repo(raw);
  if (rc < 0) return git_failure("Cannot open the repository in " + path, rc);
  const char* workdir = git_repository_workdir(repo.get());
  if (!workdir || !same_directory(workdir, workspace.root())) {
    return Error::make(
        "Refused: the repository's work tree (core.worktree) is not the project "
        "workspace. Remove core.worktree from .git/config.",
        "outside_workspace");
  }
  return repo;
}

Result<RepositoryPtr> init_repository(const Workspace& workspace,
                                      const std::string& initial_branch) {
  if (auto status = verify_root_unchanged(workspace); !status) return status.take_error();
  auto existing = workspace.stat_at(".git", false);
  if (existing) {
    return Error::make("The project already has a repository (.git exists); use git_status.",
                       "exists");
  }
  if (existing.error().code != "not_found") return existing.take_error();
  if (auto status = check_branch_name(initial_branch); !status) return status.take_error();
  git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  options.initial_head = initial_branch.c_str();
  git_repository* raw = nullptr;
  const std::string path = workspace.root().string();
  int rc = git_repository_init_ext(&raw, path.c_str(), &options);
  RepositoryPtr repo(raw);
  if (rc < 0) return git_failure("Cannot create a repository in " + path, rc);
  return repo;
}

Status refuse_option_like(std::string_view value, std::string_view what) {
  if (!value.empty() && value.front() == '-') {
    return Error::make("Refused " + std::string(what) + " '" + std::string(value) +
                           "': values starting with '-' could be read as options. Name the "
                           "revision, branch or path itself.",
                       "invalid_argument");
  }
  return {};
}

Result<std::string> repository_path(const Workspace& workspace, std::string_view user_path) {
  if (auto status = refuse_option_like(user_path, "path"); !status) return status.take_error();
  auto relative = workspace.relative_path(user_path);
  if (!relative) return relative.take_error();
  const std::string& path = *relative;
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part == "..") {
      return Error::make("Refused path '" + std::string(user_path) +
                             "': use a path inside the workspace without '..'.",
                         "invalid_path");
    }
    if (part == ".git") {
      return Error::make("Refused path '" + std::string(user_path) +
                             "': the repository's own .git directory is not a work tree path.",
                         "invalid_path");
    }
    start = end + 1;
  }
  // The kernel judges the path: through a symlink leaving the workspace it is refused; a missing
  // final component is fine (a deletion to stage), but its parent must be inside.
  auto status = workspace.stat_at(path, /*follow_final_symlink=*/false);
  if (!status && status.error().code != "not_found") return status.take_error();
  if (!status && !path.empty()) {
    auto parent = workspace.open_parent(path);
    if (!parent && parent.error().code != "not_found") return parent.take_error();
  }
  return path;
}

Result<CommitPtr> resolve_commit(git_repository* repo, std::string_view rev) {
  if (auto status = refuse_option_like(rev, "rev"); !status) return status.take_error();
  const std::string spec(rev);
  git_object* raw = nullptr;
  int rc = git_revparse_single(&raw, repo, spec.c_str());
  ObjectPtr object(raw);
  if (rc < 0) {
    return Error::make("Unknown revision '" + spec +
                           "'. Use a commit id, a branch (git_branch list), a tag, or HEAD~N "
                           "(see git_log).",
                       "not_found");
  }
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT);
  if (rc < 0) {
    return Error::make("Revision '" + spec + "' does not name a commit.", "invalid_argument");
  }
  return CommitPtr(reinterpret_cast<git_commit*>(peeled));
}

Status check_branch_name(std::string_view name) {
  if (auto status = refuse_option_like(name, "branch"); !status) return status.take_error();
  const std::string full = "refs/heads/" + std::string(name);
  int valid = 0;
  if (name.empty() || git_reference_name_is_valid(&valid, full.c_str()) < 0 || !valid) {
    return Error::make("Invalid branch name '" + std::string(name) +
                           "': use letters, digits, '/', '.', '_' or '-' (e.g. 'ticket/123'); "
                           "no spaces, '..', '~', '^', ':' or trailing '.lock'.",
                       "invalid_argument");
  }
  return {};
}

std::string current_branch(git_repository* repo, bool* unborn) {
  if (unborn) *unborn = git_repository_head_unborn(repo) == 1;
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "HEAD") < 0) return "";
  ReferencePtr head(raw);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) return "";
  std::string target = git_reference_symbolic_target(head.get());
  constexpr std::string_view kHeads = "refs/heads/";
  if (target.starts_with(kHeads)) target.erase(0, kHeads.size());
  return target;
}

std::string short_id(const git_oid* oid) {
  return full_id(oid).substr(0, 7);
}

std::string full_id(const git_oid* oid) {
  char text[GIT_OID_HEXSZ + 1];
  git_oid_tostr(text, sizeof text, oid);
  return text;
}

}  // namespace benchtop::git
