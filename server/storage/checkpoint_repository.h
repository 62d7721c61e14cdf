// Where a project's checkpoints are kept: for each tool call that changed files, which files it
// changed and what each was before and after. File contents live in the checkpoint blob store
// (server/checkpoints/blob_store.h), named here by their SHA-256.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace benchtop {

// One side of a change: what was at a path.
struct FileVersion {
  enum class Kind { kAbsent, kFile, kSymlink, kDirectory };
  Kind kind = Kind::kAbsent;
  uint32_t mode = 0;  // permission bits (files and directories)
  uint64_t size = 0;  // bytes of a file, of a symlink's target text
  // The SHA-256 (hex) of a file's bytes or a symlink's target text; empty when the content was
  // not kept (larger than the store keeps) or for directories and absent paths.
  std::string blob;

  bool operator==(const FileVersion&) const = default;
};
std::string_view to_string(FileVersion::Kind kind);  // "absent", "file", "symlink", "directory"
std::optional<FileVersion::Kind> file_kind_from_string(std::string_view text);

struct CheckpointChange {
  std::string path;  // workspace-relative
  FileVersion before;
  FileVersion after;
};

struct CheckpointRecord {
  int64_t id = 0;          // assigned on insert, increasing
  std::string created_at;  // assigned on insert
  std::string project_id;
  std::string tool;     // the call that made the changes
  std::string summary;  // its arguments, shortened
  std::vector<CheckpointChange> changes;
};

class CheckpointRepository {
 public:
  virtual ~CheckpointRepository() = default;

  // Stores `record` with its changes and returns it with its id and created_at.
  virtual Result<CheckpointRecord> insert(CheckpointRecord record) = 0;
  // Newest first, at most `limit`, with their changes.
  virtual Result<std::vector<CheckpointRecord>> recent(const std::string& project_id,
                                                       size_t limit) = 0;
  // Those with id >= `first_id`, oldest first, with their changes.
  virtual Result<std::vector<CheckpointRecord>> since(const std::string& project_id,
                                                      int64_t first_id) = 0;
  // Deletes all but the newest `keep` checkpoints of the project; returns how many went.
  virtual Result<size_t> keep_newest(const std::string& project_id, size_t keep) = 0;
  virtual Result<size_t> count(const std::string& project_id) = 0;
  // Every blob a checkpoint of the project still needs to restore a file.
  virtual Result<std::set<std::string>> blobs_in_use(const std::string& project_id) = 0;
};

}  // namespace benchtop
