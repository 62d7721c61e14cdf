// Records what each tool call changes in a project's files, so the changes can be listed and put
// back (checkpoint_restore). Around a call the recorder scans the part of the workspace the call
// may change (the paths a file tool names, the whole tree for a command), keeps every content it
// sees in the project's blob store, and stores the differences as one checkpoint. The project's
// own git history is never read or written: checkpoints live in the data directory.
//
// The scan before a call reads only what changed since the previous scan (a cache of content
// hashes by inode, size and times, as git's index keeps), so a call on a quiet workspace costs one
// stat per entry. Changes made while two calls of a project overlap are recorded with both.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/checkpoints/blob_store.h"
#include "server/checkpoints/tree_scan.h"
#include "server/storage/checkpoint_repository.h"

namespace benchtop {

struct CheckpointOptions {
  bool enabled = true;
  size_t keep = 100;                           // checkpoints per project
  uint64_t max_store_bytes = 512ull << 20;     // kept contents per project
  uint64_t max_file_bytes = 8ull << 20;        // larger files are listed, not kept
  size_t max_entries = 30'000;                 // a larger workspace is not scanned whole
  std::chrono::milliseconds scan_time{5'000};  // per scan
  // An unreferenced content younger than this is not deleted yet (another process may be about
  // to store the checkpoint that needs it).
  std::chrono::seconds collection_grace{60};
};

class CheckpointRecorder {
 public:
  // Blob stores go to `store_root`/<project id>/.
  CheckpointRecorder(CheckpointRepository& repository, std::filesystem::path store_root,
                     CheckpointOptions options = {});
  ~CheckpointRecorder();
  CheckpointRecorder(const CheckpointRecorder&) = delete;
  CheckpointRecorder& operator=(const CheckpointRecorder&) = delete;

  const CheckpointOptions& options() const { return options_; }
  CheckpointRepository& repository() { return repository_; }

  // The state before a call, taken by begin() and handed to finish().
  class Pending {
   public:
    Pending(Pending&&) = default;
    Pending& operator=(Pending&&) = default;

   private:
    friend class CheckpointRecorder;
    Pending() = default;
    std::string project_id;
    std::shared_ptr<const Workspace> workspace;
    std::vector<std::string> scope;
    ScanResult before;
  };

  // Scans `scope` (workspace-relative paths; "" is the whole tree) before a call.
  std::optional<Pending> begin(const std::string& project_id,
                               std::shared_ptr<const Workspace> workspace,
                               std::vector<std::string> scope);
  // Scans again after the call and stores what changed as a checkpoint of `tool`, described by
  // `summary`. Returns it, std::nullopt when nothing changed or the workspace could not be
  // scanned whole (a warning is logged).
  std::optional<CheckpointRecord> finish(Pending pending, const std::string& tool,
                                         const std::string& summary);

  // The contents kept for a project.
  BlobStore blobs(const std::string& project_id) const;
  // Drops a deleted project's kept contents (its checkpoints go with its database rows).
  void forget(const std::string& project_id);

 private:
  struct ProjectHistory;
  std::shared_ptr<ProjectHistory> history(const std::string& project_id);
  ScanLimits limits() const;
  void enforce_retention(const std::string& project_id, ProjectHistory& project);
  // Deletes the kept contents no checkpoint and no latest scan needs; false when the store
  // could not say which those are.
  bool collect_unused(const std::string& project_id, ProjectHistory& project);

  CheckpointRepository& repository_;
  const std::filesystem::path store_root_;
  const CheckpointOptions options_;
  std::mutex mutex_;  // guards projects_ (not what each holds)
  std::map<std::string, std::shared_ptr<ProjectHistory>> projects_;
};

}  // namespace benchtop
