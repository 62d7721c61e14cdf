#include "server/checkpoints/checkpoint_restore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "server/checkpoints/blob_store.h"
#include "server/workspace/atomic_file.h"
#include "server/workspace/workspace.h"

namespace benchtop {

namespace {

bool within(const std::string& path, const std::vector<std::string>& only) {
  if (only.empty()) return true;
  for (const auto& scope : only) {
    if (within_scope(path, scope)) return true;
  }
  return false;
}

bool same(const FileVersion& current, const FileVersion& target) {
  if (current.kind != target.kind) return false;
  switch (target.kind) {
    case FileVersion::Kind::kAbsent:
    case FileVersion::Kind::kDirectory:
      return true;
    case FileVersion::Kind::kSymlink:
      return current.blob == target.blob;
    case FileVersion::Kind::kFile:
      return current.blob == target.blob && current.mode == target.mode;
  }
  return false;
}

bool needs_content(const FileVersion& version) {
  return version.kind == FileVersion::Kind::kFile || version.kind == FileVersion::Kind::kSymlink;
}

Status remove_entry(const Workspace& workspace, const RestoreStep& step) {
  auto parent = workspace.open_parent(step.path);
  if (!parent) return parent.take_error();
  const int flags = step.current.kind == FileVersion::Kind::kDirectory ? AT_REMOVEDIR : 0;
  if (::unlinkat(parent->first.get(), parent->second.c_str(), flags) != 0 && errno != ENOENT) {
    if (errno == ENOTEMPTY || errno == EEXIST) {
      return Error::make(step.path +
                             " is a directory that holds files no checkpoint recorded; it was "
                             "left in place",
                         "not_empty");
    }
    return path_error(step.path, errno);
  }
  return {};
}

Status create_entry(const Workspace& workspace, const BlobStore& blobs, const RestoreStep& step) {
  if (step.target.kind == FileVersion::Kind::kAbsent) return {};  // removed before, if it was there
  auto parent = workspace.open_parent(step.path, /*create_missing=*/true);
  if (!parent) return parent.take_error();
  const int dir_fd = parent->first.get();
  const std::string& name = parent->second;
  switch (step.target.kind) {
    case FileVersion::Kind::kAbsent:
      return {};
    case FileVersion::Kind::kDirectory:
      if (step.current.kind == FileVersion::Kind::kDirectory) return {};
      if (::mkdirat(dir_fd, name.c_str(), step.target.mode ? step.target.mode : 0755) != 0 &&
          errno != EEXIST) {
        return path_error(step.path, errno);
      }
      return {};
    case FileVersion::Kind::kSymlink: {
      auto target = blobs.get(step.target.blob);
      if (!target) return target.take_error();
      if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
        return path_error(step.path, errno);
      }
      if (::symlinkat(target->c_str(), dir_fd, name.c_str()) != 0) {
        return path_error(step.path, errno);
      }
      return {};
    }
    case FileVersion::Kind::kFile: {
      auto content = blobs.get(step.target.blob);
      if (!content) return content.take_error();
      struct stat mode {};
      mode.st_mode = S_IFREG | (step.target.mode ? step.target.mode : 0644);
      mode.st_uid = ::geteuid();
      mode.st_gid = ::getegid();
      AtomicWriteOptions options;
      options.existing = &mode;
      auto written = write_file_atomic(dir_fd, name, step.path, *content, options);
      if (!written) return written.take_error();
      return {};
    }
  }
  return {};
}

}  // namespace

Result<RestorePlan> plan_restore(CheckpointRepository& repository, BlobStore& blobs,
                                 const Workspace& workspace, const std::string& project_id,
                                 int64_t checkpoint_id, const std::vector<std::string>& only,
                                 const ScanLimits& limits) {
  auto records = repository.since(project_id, checkpoint_id);
  if (!records) return records.take_error();
  if (records->empty() || records->front().id != checkpoint_id) {
    return Error::make("this project has no checkpoint " + std::to_string(checkpoint_id) +
                           " (it may have been dropped by retention); checkpoint_list shows "
                           "those kept",
                       "not_found");
  }

  // Each path as the first of these calls to touch it found it.
  std::map<std::string, FileVersion> targets;
  for (const auto& record : *records) {
    for (const auto& change : record.changes) {
      if (within(change.path, only)) targets.emplace(change.path, change.before);
    }
  }
  if (targets.empty()) {
    return Error::make("checkpoint " + std::to_string(checkpoint_id) +
                           " and the ones after it changed nothing beneath the paths given",
                       "not_found");
  }

  std::vector<std::string> not_kept;
  for (const auto& [path, target] : targets) {
    if (needs_content(target) && (target.blob.empty() || !blobs.contains(target.blob))) {
      not_kept.push_back(path);
    }
  }
  if (!not_kept.empty()) {
    std::string names;
    for (size_t i = 0; i < not_kept.size() && i < 10; ++i) {
      names += (i ? ", " : "") + not_kept[i];
    }
    if (not_kept.size() > 10) names += " and " + std::to_string(not_kept.size() - 10) + " more";
    return Error::make("the earlier content of " + names +
                           " was not kept (larger than the checkpoint file limit, or dropped); "
                           "nothing was restored. Pass `paths` without them to restore the rest",
                       "not_kept");
  }

  std::vector<std::string> scope;
  scope.reserve(targets.size());
  for (const auto& [path, target] : targets) scope.push_back(path);
  ScanLimits current_limits = limits;
  current_limits.descend = false;
  current_limits.max_entries = targets.size() + 1;
  ScanResult now = scan_tree(workspace, scope, {}, blobs, current_limits);
  if (!now.complete) {
    return Error::make("the workspace could not be read to restore it: " + now.incomplete_reason,
                       "busy");
  }

  RestorePlan plan;
  plan.checkpoint = std::move(records->front());
  plan.calls = records->size();
  for (auto& [path, target] : targets) {
    auto found = now.entries.find(path);
    FileVersion current = found == now.entries.end() ? FileVersion{} : found->second.version;
    if (same(current, target)) {
      ++plan.unchanged;
      continue;
    }
    plan.steps.push_back({path, std::move(target), std::move(current)});
  }
  return plan;
}

RestoreOutcome apply_restore(const Workspace& workspace, const BlobStore& blobs,
                             const RestorePlan& plan) {
  RestoreOutcome outcome;
  std::map<std::string, std::string> failures;
  // What must go, children before their parents (a child's path sorts after its parent's).
  for (auto step = plan.steps.rbegin(); step != plan.steps.rend(); ++step) {
    const bool goes =
        step->current.kind != FileVersion::Kind::kAbsent && step->current.kind != step->target.kind;
    if (!goes) continue;
    if (auto removed = remove_entry(workspace, *step); !removed) {
      failures[step->path] = removed.error().message;
    }
  }
  // Then what must be, parents first.
  for (const auto& step : plan.steps) {
    if (failures.count(step.path)) continue;
    if (auto created = create_entry(workspace, blobs, step); !created) {
      failures[step.path] = created.error().message;
      continue;
    }
    outcome.restored.push_back(step.path);
  }
  for (auto& [path, why] : failures) outcome.failed.emplace_back(path, std::move(why));
  return outcome;
}

}  // namespace benchtop
