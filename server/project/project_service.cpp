#include "server/project/project_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "common/unique_fd.h"
#include "common/uuid.h"
#include "server/project/interrupted_writes.h"
#include "server/workspace/atomic_file.h"
#include "server/workspace/file_ops.h"
#include "server/workspace/workspace.h"

namespace benchtop {
namespace {

constexpr size_t kMaxNameLength = 63;
constexpr size_t kMaxDescriptionLength = 2000;

bool name_start_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool name_char(char c) {
  return name_start_char(c) || c == '.' || c == '_' || c == '-';
}

// Turns any directory name into a valid project name: "My App (v2)" -> "my-app-v2".
std::string sanitize_name(std::string_view raw) {
  std::string name;
  for (char c : raw) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!name_char(c)) c = '-';
    if (c == '-' && (name.empty() || name.back() == '-')) continue;  // no leading or double '-'
    if (name.empty() && !name_start_char(c)) continue;
    name.push_back(c);
  }
  if (name.size() > kMaxNameLength) name.resize(kMaxNameLength);
  while (!name.empty() && !name_start_char(name.back())) name.pop_back();
  if (name.empty()) return "project";
  if (is_uuid(name)) return "project-" + name;
  return name;
}

std::string name_rule_text() {
  return "1-63 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or "
         "digit";
}

Error not_found(const std::string& id_or_name) {
  return Error::make("No project '" + id_or_name +
                         "'. Call project_list to see projects, or project_create to make one.",
                     "not_found");
}

Project from_record(ProjectRecord record, const std::filesystem::path& workspaces_dir) {
  Project project;
  project.id = std::move(record.id);
  project.name = std::move(record.name);
  project.description = std::move(record.description);
  project.kind = record.kind == "external" ? ProjectKind::kExternal : ProjectKind::kManaged;
  project.root = project.kind == ProjectKind::kExternal ? std::filesystem::path(record.root)
                                                        : workspaces_dir / project.id;
  project.created_at = std::move(record.created_at);
  project.updated_at = std::move(record.updated_at);
  project.is_default = record.is_default;
  return project;
}

bool is_within(const std::filesystem::path& path, const std::filesystem::path& dir) {
  auto [dir_end, path_it] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return dir_end == dir.end();
}

}  // namespace

std::string_view to_string(ProjectKind kind) {
  return kind == ProjectKind::kExternal ? "external" : "managed";
}

bool ProjectService::valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !name_start_char(name.front())) return false;
  for (char c : name) {
    if (!name_char(c)) return false;
  }
  return true;
}

ProjectService::ProjectService(ProjectRepository& repository, std::filesystem::path workspaces_dir,
                               WorkspaceDisk* disk)
    : repository_(repository), workspaces_dir_(std::move(workspaces_dir)), disk_(disk) {}

Status ProjectService::ensure_workspaces_dir() {
  std::error_code ec;
  std::filesystem::create_directories(workspaces_dir_, ec);
  if (ec) {
    return Error::make(
        "Cannot create the workspaces directory " + workspaces_dir_.string() + ": " + ec.message(),
        "io_error");
  }
  return {};
}

Result<Project> ProjectService::find(const std::string& id_or_name) {
  auto found = repository_.find(id_or_name);
  if (!found) return found.take_error();
  if (!found->has_value()) return not_found(id_or_name);
  return from_record(std::move(**found), workspaces_dir_);
}

Result<Project> ProjectService::create(const std::string& name, const std::string& description) {
  if (!valid_name(name)) {
    std::string message = "Invalid project name '" + name + "': use " + name_rule_text() + ".";
    const std::string suggestion = sanitize_name(name);
    if (!name.empty() && suggestion != name) message += " For example '" + suggestion + "'.";
    return Error::make(std::move(message), "invalid_argument");
  }
  if (is_uuid(name)) {
    return Error::make("Invalid project name '" + name +
                           "': names may not look like project ids. Choose a descriptive name.",
                       "invalid_argument");
  }
  if (description.size() > kMaxDescriptionLength) {
    return Error::make("The description is too long (" + std::to_string(description.size()) +
                           " bytes); keep it under " + std::to_string(kMaxDescriptionLength) + ".",
                       "invalid_argument");
  }
  if (auto status = ensure_workspaces_dir(); !status) return status.take_error();

  const std::string id = uuid_v4();
  const std::filesystem::path root = workspaces_dir_ / id;
  bool made = false;
  // The directory is made inside the insert's transaction: if it cannot be made, no row is left
  // behind.
  auto inserted = repository_.insert_managed(id, name, description, [&]() -> Status {
    if (::mkdir(root.c_str(), 0755) != 0) {
      return Error::make(
          "Cannot create the workspace " + root.string() + ": " + std::strerror(errno), "io_error");
    }
    if (disk_ != nullptr) {
      if (auto attached = disk_->attach(id, root); !attached) {
        ::rmdir(root.c_str());
        return Error::make("Cannot create the workspace's disk: " + attached.error().message,
                           "io_error");
      }
    }
    made = true;
    return {};
  });
  if (!inserted) {
    if (made) ::rmdir(root.c_str());  // the commit itself failed
    if (inserted.error().code == "exists") {
      return Error::make("A project named '" + name + "' already exists. Use it (pass project: '" +
                             name + "' to other tools), or choose another name.",
                         "exists");
    }
    return inserted.take_error();
  }
  forget_references();
  return find(id);
}

Result<std::vector<Project>> ProjectService::list() {
  auto records = repository_.list();
  if (!records) return records.take_error();
  std::vector<Project> projects;
  projects.reserve(records->size());
  for (auto& record : *records) projects.push_back(from_record(std::move(record), workspaces_dir_));
  return projects;
}

Result<Project> ProjectService::get(const std::string& id_or_name) {
  return find(id_or_name);
}

Result<Project> ProjectService::resolve(const std::optional<std::string>& id_or_name) {
  if (id_or_name) return get(*id_or_name);
  auto found = default_project();
  if (!found) return found.take_error();
  if (!found->has_value()) {
    return Error::make(
        "No project was given and there is no default project. Pass `project` (an id or name "
        "from project_list), or call project_create to make one.",
        "no_default_project");
  }
  return std::move(**found);
}

std::vector<std::string> ProjectService::names_starting_with(std::string_view prefix) {
  std::vector<std::string> names;
  auto all = list();
  if (!all) return names;
  for (const auto& project : *all) {
    if (project.name.starts_with(prefix)) names.push_back(project.name);
  }
  return names;
}

Result<Project> ProjectService::remove(const std::string& id_or_name, const std::string& confirm) {
  Project project;
  {
    auto found = find(id_or_name);
    if (!found) return found.take_error();
    project = std::move(found).value();
  }
  if (confirm != project.name) {
    const std::string effect =
        project.kind == ProjectKind::kManaged
            ? "Deleting it removes its workspace and every file in it."
            : "Deleting it only unregisters it; its directory is left untouched.";
    return Error::make("Project '" + project.name +
                           "' was not deleted: confirm must be its exact " + "name, '" +
                           project.name + "' (got '" + confirm + "'). " + effect,
                       "confirmation_required");
  }

  // Claimed: from here its workspace is handed to no new call and a second deletion is refused.
  // No lock is held over what follows (stopping the container, removing a large tree): calls in
  // every other project go on meanwhile.
  {
    std::lock_guard cache_lock(cache_mutex_);
    if (!deleting_.insert(project.id).second) {
      return Error::make("Project '" + project.name + "' is already being deleted.", "busy");
    }
    cache_.erase(project.id);
    by_reference_.clear();
  }
  struct Unclaim {
    ProjectService& service;
    const std::string& id;
    ~Unclaim() {
      std::lock_guard cache_lock(service.cache_mutex_);
      service.deleting_.erase(id);
      service.by_reference_.clear();
    }
  } unclaim{*this, project.id};

  // Whatever runs in the project (its dev container) stops before its files go. The hooks may
  // look the project up themselves.
  for (const auto& hook : removal_hooks_) hook(project);

  // A managed workspace is moved aside with one rename before the row goes, and the moved tree
  // is removed after, so the slow part holds neither a lock nor the database. Only the entry
  // named by the project's id inside our workspaces directory is ever touched, through fds that
  // never follow symlinks: never a stored path, so an external root cannot be reached from here.
  UniqueFd workspaces;
  std::string moved_aside;
  if (project.kind == ProjectKind::kManaged && is_uuid(project.id)) {
    workspaces =
        UniqueFd(::open(workspaces_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!workspaces && errno != ENOENT) {
      return Error::make("Cannot open " + workspaces_dir_.string() + ": " + std::strerror(errno) +
                             ". Project '" + project.name + "' was kept.",
                         "io_error");
    }
    if (workspaces && disk_ != nullptr) {
      if (auto discarded = disk_->discard(project.id, project.root); !discarded) {
        return Error::make("Could not delete the disk of project '" + project.name +
                               "': " + discarded.error().message + ". The project was kept.",
                           "io_error");
      }
    }
    if (workspaces) {
      moved_aside = std::string(kDeletedPrefix) + project.id;
      (void)remove_tree_at(workspaces.get(), moved_aside);  // a leftover of an earlier attempt
      if (::renameat(workspaces.get(), project.id.c_str(), workspaces.get(), moved_aside.c_str()) !=
          0) {
        if (errno != ENOENT) {
          return Error::make("Could not delete the workspace of project '" + project.name + "' (" +
                                 project.root.string() + "): " + std::strerror(errno) +
                                 ". The project was kept; fix the cause and call project_delete "
                                 "again.",
                             "io_error");
        }
        moved_aside.clear();  // nothing on disk to remove
      }
    }
  }

  Status erased = repository_.remove(project.id);
  if (!erased) {
    if (!moved_aside.empty()) {
      ::renameat(workspaces.get(), moved_aside.c_str(), workspaces.get(), project.id.c_str());
    }
    if (project.kind == ProjectKind::kManaged && disk_ != nullptr) {
      (void)disk_->attach(project.id, project.root);
    }
    return erased.take_error();
  }

  if (!moved_aside.empty()) {
    if (auto removed = remove_tree_at(workspaces.get(), moved_aside); !removed) {
      log::warning("project '" + project.name + "' was deleted, but its files could not all be " +
                   "removed (" + removed.error().message + "); they are removed at next start");
    }
  }
  project.is_default = false;
  return project;
}

size_t ProjectService::remove_leftover_deletions() {
  UniqueFd workspaces(
      ::open(workspaces_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!workspaces) return 0;
  std::vector<std::string> leftovers;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(workspaces_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kDeletedPrefix)) leftovers.push_back(name);
  }
  size_t removed = 0;
  for (const auto& name : leftovers) {
    if (remove_tree_at(workspaces.get(), name)) ++removed;
  }
  return removed;
}

std::vector<Error> ProjectService::attach_disks() {
  std::vector<Error> failures;
  if (disk_ == nullptr) return failures;
  auto projects = list();
  if (!projects) return {projects.take_error()};
  for (const auto& project : *projects) {
    if (project.kind != ProjectKind::kManaged) continue;
    if (auto attached = disk_->attach(project.id, project.root); !attached) {
      failures.push_back(Error::make("project '" + project.name + "': " + attached.error().message,
                                     attached.error().code));
    }
  }
  return failures;
}

Result<Project> ProjectService::register_root(const std::filesystem::path& directory) {
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(directory, ec);
  if (ec) {
    return Error::make(
        "Cannot register " + directory.string() + " as a project root: " + ec.message(),
        "not_found");
  }
  if (!std::filesystem::is_directory(root, ec)) {
    return Error::make("Cannot register " + root.string() + " as a project root: not a directory",
                       "not_directory");
  }
  // A directory inside the managed workspaces belongs to a managed project, which would delete
  // it out from under the external one.
  const std::filesystem::path workspaces = std::filesystem::weakly_canonical(workspaces_dir_, ec);
  if (!ec && is_within(root, workspaces)) {
    return Error::make("Cannot register " + root.string() +
                           ": it is inside benchtop's managed workspaces. Use that project "
                           "instead (project_list).",
                       "invalid_argument");
  }

  const std::string base = sanitize_name(root.filename().string());
  auto id = repository_.register_external(
      root.string(), uuid_v4(), "Registered directory " + root.string(),
      [&base](int attempt) -> std::string {
        if (attempt >= 1000) return "";
        if (attempt == 0) return std::string(base);
        const std::string suffix = "-" + std::to_string(attempt + 1);
        return base.substr(0, kMaxNameLength - suffix.size()) + suffix;
      });
  if (!id) {
    if (id.error().code == "exists") {
      return Error::make("Cannot find a free project name based on '" + base +
                             "'. Delete unused projects (project_delete) and try again.",
                         "exists");
    }
    return id.take_error();
  }
  forget_references();
  return find(*id);
}

Status ProjectService::set_default(const std::string& id_or_name) {
  auto project = find(id_or_name);
  if (!project) return project.take_error();
  auto stored = repository_.set_default(project->id);
  forget_references();
  return stored;
}

Result<std::optional<Project>> ProjectService::default_project() {
  auto found = repository_.find_default();
  if (!found) return found.take_error();
  if (!found->has_value()) return std::optional<Project>();
  return std::optional<Project>(from_record(std::move(**found), workspaces_dir_));
}

Result<std::shared_ptr<const Workspace>> ProjectService::workspace(
    const std::optional<std::string>& project_ref) {
  auto opened = open_workspace(project_ref);
  if (!opened) return opened.take_error();
  return std::move(opened->workspace);
}

Result<ProjectService::OpenWorkspace> ProjectService::open_workspace(
    const std::optional<std::string>& project_ref) {
  std::unique_lock cache_lock(cache_mutex_);
  const std::string reference = project_ref.value_or("");
  if (auto known = by_reference_.find(reference); known != by_reference_.end()) {
    return known->second;
  }
  auto resolved = resolve(project_ref);
  if (!resolved) return resolved.take_error();
  const Project& project = *resolved;
  if (deleting_.count(project.id)) {
    return Error::make("Project '" + project.name + "' is being deleted.", "not_found");
  }

  if (auto cached = cache_.find(project.id); cached != cache_.end()) {
    OpenWorkspace found{project.id, cached->second};
    by_reference_.emplace(reference, found);
    return found;
  }
  auto opened = Workspace::open(project.root);
  if (!opened) {
    const std::string what = project.kind == ProjectKind::kManaged
                                 ? "Restore it, or delete the project with project_delete and "
                                   "create it again."
                                 : "Restore the directory, or unregister the project with "
                                   "project_delete.";
    return Error::make("The workspace of project '" + project.name + "' (" + project.root.string() +
                           ") cannot be opened: " + opened.error().message + ". " + what,
                       "workspace_unavailable");
  }
  std::shared_ptr<const Workspace> workspace = std::move(opened).value();
  cache_.emplace(project.id, workspace);
  by_reference_.emplace(reference, OpenWorkspace{project.id, workspace});
  cache_lock.unlock();
  // First use in this process: remove what writes cut short by a crash or kill -9 left behind.
  if (const size_t removed = remove_abandoned_temp_files(*workspace)) {
    log::info("project '" + project.name + "': removed " + std::to_string(removed) +
              " temporary file(s) of interrupted writes");
  }
  return OpenWorkspace{project.id, std::move(workspace)};
}

void ProjectService::forget_references() {
  std::lock_guard cache_lock(cache_mutex_);
  by_reference_.clear();
}

}  // namespace benchtop
