// Putting a project's files back as they were before a recorded call: every path that call and
// the calls after it changed gets the version it had before the first of them touched it. Paths
// no recorded call changed are left alone, and so is the project's git history.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "server/checkpoints/tree_scan.h"
#include "server/storage/checkpoint_repository.h"

namespace benchtop {

class BlobStore;
class Workspace;

struct RestoreStep {
  std::string path;
  FileVersion target;   // what the path is put back to
  FileVersion current;  // what it is now
};

struct RestorePlan {
  CheckpointRecord checkpoint;     // the call whose "before" is restored
  size_t calls = 0;                // recorded calls undone (it and those after it)
  std::vector<RestoreStep> steps;  // the paths that differ from their target, in path order
  size_t unchanged = 0;            // paths already as they were
};

// Plans the restore of checkpoint `checkpoint_id` of the project, limited to the paths beneath one
// of `only` when it is not empty (workspace-relative, normalised). Fails with code "not_found"
// for a checkpoint the project does not have (any more), and with "not_kept" naming the files
// whose earlier content was not kept (too large, or dropped): nothing is restored then.
Result<RestorePlan> plan_restore(CheckpointRepository& repository, BlobStore& blobs,
                                 const Workspace& workspace, const std::string& project_id,
                                 int64_t checkpoint_id, const std::vector<std::string>& only,
                                 const ScanLimits& limits);

struct RestoreOutcome {
  std::vector<std::string> restored;                        // paths put back
  std::vector<std::pair<std::string, std::string>> failed;  // path, why
};

// Carries out `plan` through the workspace guard: first what must go (deepest first), then what
// must be (parents first). A path that fails is reported and the others still restored.
RestoreOutcome apply_restore(const Workspace& workspace, const BlobStore& blobs,
                             const RestorePlan& plan);

}  // namespace benchtop
