// Projects: named workspaces the tools act in, kept in the SQLite store.
//
// A project is either managed (benchtop created its workspace under <data dir>/workspaces/<id>
// and deletes it with the project) or external (an existing directory the user registered, e.g.
// with --root; benchtop never deletes it). One project may be the default, used when a tool call
// names none.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "server/sandbox/workspace_disk.h"
#include "server/storage/project_repository.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

enum class ProjectKind { kManaged, kExternal };

std::string_view to_string(ProjectKind kind);

struct Project {
  std::string id;  // UUIDv4
  std::string name;
  std::string description;
  ProjectKind kind = ProjectKind::kManaged;
  std::filesystem::path root;  // the workspace directory
  std::string created_at;      // ISO 8601 UTC, e.g. "2025-06-18T09:30:00.000Z"
  std::string updated_at;
  bool is_default = false;
};

class ProjectService : public WorkspaceProvider {
 public:
  // The name rule, as a regular expression (also used as the tools' schema pattern).
  static constexpr std::string_view kNamePattern = "^[a-z0-9][a-z0-9._-]{0,62}$";
  static bool valid_name(std::string_view name);

  // `repository` keeps the projects and must outlive the service. Managed workspaces are
  // created under `workspaces_dir` (created on first use). `disk`, when given, caps each managed
  // workspace's disk space and must outlive the service.
  ProjectService(ProjectRepository& repository, std::filesystem::path workspaces_dir,
                 WorkspaceDisk* disk = nullptr);

  // Creates a managed project and its empty workspace directory.
  Result<Project> create(const std::string& name, const std::string& description);
  // All projects, by name.
  Result<std::vector<Project>> list();
  // By id or name (an id wins; names may not look like ids).
  Result<Project> get(const std::string& id_or_name);
  // By id or name, or the default project for std::nullopt (error code "no_default_project",
  // with a message telling the model what to pass, when there is none).
  Result<Project> resolve(const std::optional<std::string>& id_or_name);
  // Names of the projects that start with `prefix`, in name order (completion of arguments).
  std::vector<std::string> names_starting_with(std::string_view prefix);
  // Deletes a project when `confirm` equals its exact name. A managed project's workspace is
  // deleted with it; an external project's directory is never touched. Returns what was deleted.
  // Holds no lock shared with other projects while the container stops and the files go.
  Result<Project> remove(const std::string& id_or_name, const std::string& confirm);
  // Removes what deletions interrupted by a crash left in the workspaces directory (at start).
  size_t remove_leftover_deletions();

  // Registers an existing directory as an external project and makes it the default. Registering
  // the same directory again (by any path that resolves to it) returns the same project. The
  // name is derived from the directory's name, made to fit the name rule and made unique.
  Result<Project> register_root(const std::filesystem::path& directory);

  // Runs `hook` for a project about to be deleted (confirmed, not yet removed), e.g. to stop what
  // runs in it. Register hooks before serving; they must not delete projects themselves.
  void add_removal_hook(std::function<void(const Project&)> hook) {
    removal_hooks_.push_back(std::move(hook));
  }

  // Attaches the disk of every managed project (after a reboot, their images are not mounted).
  // Returns what failed, one error per project; those projects run without their cap.
  std::vector<Error> attach_disks();

  Status set_default(const std::string& id_or_name);
  // std::nullopt when no default is set.
  Result<std::optional<Project>> default_project();

  // The workspace of a project (id or name), or of the default project for std::nullopt.
  // Workspaces are opened once per project and shared.
  Result<std::shared_ptr<const Workspace>> workspace(
      const std::optional<std::string>& project) override;
  // The same, with the project's id, from the same cache (no database query once a reference
  // has been used).
  struct OpenWorkspace {
    std::string project_id;
    std::shared_ptr<const Workspace> workspace;
  };
  Result<OpenWorkspace> open_workspace(const std::optional<std::string>& project);

 private:
  Result<Project> find(const std::string& id_or_name);
  Status ensure_workspaces_dir();

  ProjectRepository& repository_;
  const std::filesystem::path workspaces_dir_;
  WorkspaceDisk* const disk_;
  // Open workspaces by project id. Held across a lookup and the cache update (never across slow
  // work), so a project being deleted cannot be re-cached. Order: this, then the repository.
  std::mutex cache_mutex_;
  std::map<std::string, std::shared_ptr<const Workspace>> cache_;
  // The same workspaces by the reference a call used (an id, a name, or "" for the default), so a
  // tool call costs no database query. Cleared by every change to projects or the default; all
  // such changes go through this service. Guarded by cache_mutex_.
  std::map<std::string, OpenWorkspace> by_reference_;
  // Projects being deleted: their workspaces are handed to no new call. Guarded by cache_mutex_.
  std::set<std::string> deleting_;
  // A deleted managed workspace is renamed to this prefix + its id, then removed.
  static constexpr std::string_view kDeletedPrefix = ".deleted-";
  std::vector<std::function<void(const Project&)>> removal_hooks_;
  void forget_references();
};

}  // namespace benchtop
