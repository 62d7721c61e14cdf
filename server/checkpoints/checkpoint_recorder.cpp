#include "server/checkpoints/checkpoint_recorder.h"

#include "common/log.h"
#include "server/workspace/workspace.h"

namespace benchtop {

struct CheckpointRecorder::ProjectHistory {
  explicit ProjectHistory(std::filesystem::path directory) : blobs(std::move(directory)) {}

  // Held while scanning: scans of one project take turns, those of different projects do not.
  std::mutex mutex;
  TreeState known;  // the latest scan of each path: the content hash cache
  BlobStore blobs;
  size_t recorded_since_size_check = 0;
};

namespace {

// Retention looks at the store's size every this many checkpoints (it walks the store).
constexpr size_t kSizeCheckInterval = 10;

// The first missing directory on the way to `path` (or `path`): a call that creates a file in a
// new directory is recorded with the directory, so a restore removes both.
std::string topmost_missing(const Workspace& workspace, std::string path) {
  for (size_t slash = path.rfind('/'); slash != std::string::npos; slash = path.rfind('/')) {
    const std::string parent = path.substr(0, slash);
    if (workspace.stat_at(parent).ok()) break;
    path = parent;
  }
  return path;
}

// Puts a scan of `scope` into the cache, dropping what the scan no longer found there.
void remember(TreeState& known, const std::vector<std::string>& scope, ScanResult scan) {
  if (scan.complete && scope.size() == 1 && scope.front().empty()) {
    known = std::move(scan.entries);
    return;
  }
  if (scan.complete) {
    for (auto it = known.begin(); it != known.end();) {
      bool covered = false;
      for (const auto& path : scope) covered = covered || within_scope(it->first, path);
      it = covered ? known.erase(it) : std::next(it);
    }
  }
  for (auto& [path, entry] : scan.entries) known[path] = std::move(entry);
}

}  // namespace

CheckpointRecorder::CheckpointRecorder(CheckpointRepository& repository,
                                       std::filesystem::path store_root, CheckpointOptions options)
    : repository_(repository), store_root_(std::move(store_root)), options_(options) {}

CheckpointRecorder::~CheckpointRecorder() = default;

std::shared_ptr<CheckpointRecorder::ProjectHistory> CheckpointRecorder::history(
    const std::string& project_id) {
  std::lock_guard lock(mutex_);
  auto& slot = projects_[project_id];
  if (!slot) slot = std::make_shared<ProjectHistory>(store_root_ / project_id);
  return slot;
}

BlobStore CheckpointRecorder::blobs(const std::string& project_id) const {
  return BlobStore(store_root_ / project_id);
}

ScanLimits CheckpointRecorder::limits() const {
  ScanLimits limits;
  limits.max_entries = options_.max_entries;
  limits.max_file_bytes = options_.max_file_bytes;
  limits.deadline = std::chrono::steady_clock::now() + options_.scan_time;
  return limits;
}

std::optional<CheckpointRecorder::Pending> CheckpointRecorder::begin(
    const std::string& project_id, std::shared_ptr<const Workspace> workspace,
    std::vector<std::string> scope) {
  if (!options_.enabled || !workspace) return std::nullopt;
  bool whole = scope.empty();
  for (const auto& path : scope) whole = whole || path.empty();
  if (whole) {
    scope = {""};
  } else {
    for (auto& path : scope) path = topmost_missing(*workspace, std::move(path));
  }
  const auto project_history = history(project_id);
  ProjectHistory& project = *project_history;
  Pending pending;
  {
    std::lock_guard lock(project.mutex);
    pending.before = scan_tree(*workspace, scope, project.known, project.blobs, limits());
  }
  pending.project_id = project_id;
  pending.workspace = std::move(workspace);
  pending.scope = std::move(scope);
  return pending;
}

std::optional<CheckpointRecord> CheckpointRecorder::finish(Pending pending, const std::string& tool,
                                                           const std::string& summary) {
  const auto project_history = history(pending.project_id);
  ProjectHistory& project = *project_history;
  std::vector<CheckpointChange> changes;
  {
    std::lock_guard lock(project.mutex);
    // The scan before is the freshest cache for the scan after.
    ScanResult after = scan_tree(*pending.workspace, pending.scope, pending.before.entries,
                                 project.blobs, limits());
    if (!pending.before.complete || !after.complete) {
      const std::string& why =
          pending.before.complete ? after.incomplete_reason : pending.before.incomplete_reason;
      log::warning("checkpoints: the changes of " + tool + " were not recorded: " + why);
      remember(project.known, pending.scope, std::move(after));
      return std::nullopt;
    }
    changes = diff_trees(pending.before.entries, after.entries);
    remember(project.known, pending.scope, std::move(after));
  }
  if (changes.empty()) return std::nullopt;

  CheckpointRecord record;
  record.project_id = pending.project_id;
  record.tool = tool;
  record.summary = summary;
  record.changes = std::move(changes);
  auto stored = repository_.insert(std::move(record));
  if (!stored) {
    log::warning("checkpoints: the changes of " + tool +
                 " were not recorded: " + stored.error().message);
    return std::nullopt;
  }
  enforce_retention(pending.project_id, project);
  return std::move(stored).value();
}

void CheckpointRecorder::enforce_retention(const std::string& project_id, ProjectHistory& project) {
  auto trimmed = repository_.keep_newest(project_id, options_.keep);
  const bool size_check = ++project.recorded_since_size_check >= kSizeCheckInterval;
  if (!size_check && !(trimmed && *trimmed > 0)) return;
  if (size_check) project.recorded_since_size_check = 0;
  if (!collect_unused(project_id, project) || !size_check) return;
  // Oldest first, until the kept contents fit (the newest checkpoint always stays).
  for (auto count = repository_.count(project_id);
       count && *count > 1 && project.blobs.total_bytes() > options_.max_store_bytes;
       count = repository_.count(project_id)) {
    if (!repository_.keep_newest(project_id, *count / 2) || !collect_unused(project_id, project)) {
      return;
    }
  }
}

bool CheckpointRecorder::collect_unused(const std::string& project_id, ProjectHistory& project) {
  std::lock_guard lock(project.mutex);
  auto in_use = repository_.blobs_in_use(project_id);
  if (!in_use) return false;
  // The latest contents are the "before" of the next change: they stay too.
  for (const auto& [path, entry] : project.known) in_use->insert(entry.version.blob);
  project.blobs.remove_all_but(*in_use, options_.collection_grace);
  return true;
}

void CheckpointRecorder::forget(const std::string& project_id) {
  std::shared_ptr<ProjectHistory> dropped;
  {
    std::lock_guard lock(mutex_);
    auto found = projects_.find(project_id);
    if (found != projects_.end()) {
      dropped = std::move(found->second);
      projects_.erase(found);
    }
  }
  std::unique_lock<std::mutex> wait_for_scan;
  if (dropped) wait_for_scan = std::unique_lock(dropped->mutex);
  std::error_code error;
  std::filesystem::remove_all(store_root_ / project_id, error);
  if (error) log::warning("checkpoints: could not remove " + (store_root_ / project_id).string());
}

}  // namespace benchtop
