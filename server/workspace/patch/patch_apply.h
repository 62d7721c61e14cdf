// Applying a parsed patch to a workspace, all or nothing, in two steps.
//
// plan_patch reads every file the patch names through the workspace guard and works out every
// new content in memory, writing nothing; it reports each section and hunk that does not apply.
// commit_patch then writes a plan that has no failures, and if a write fails midway puts back
// what it had already changed.
//
// What a patch may touch: regular files beneath the workspace root, named without ".." (the
// guard also refuses absolute paths outside the root and symlinks that lead out). A symlink is
// never written through or replaced, a FIFO, socket or device never opened for I/O, a binary or
// non-UTF-8 file never patched, and a file or patch over the size limits never read whole.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/workspace/patch/patch.h"
#include "server/workspace/workspace.h"

namespace benchtop::patch {

struct PatchLimits {
  size_t max_files = 1000;                    // file sections in one patch
  size_t max_file_bytes = 16 * 1024 * 1024;   // any file read
  size_t max_total_bytes = 64 * 1024 * 1024;  // all files read together
};

// One file section, ready to be written.
struct PlannedFile {
  Change change = Change::kUpdated;
  std::string path;                 // workspace-relative: the destination of a move
  std::optional<std::string> from;  // kMoved: where the file is now
  std::string old_text;             // as read ("" for kAdded, and for a kMoved without hunks)
  std::string new_text;             // what is written ("" for kDeleted)
  bool rewrite = false;             // the content is written (added, updated, moved with hunks)
  size_t hunks = 0;
  size_t lines_added = 0;
  size_t lines_removed = 0;

  // What the guard resolved while planning, kept for writing: the directory holding the file
  // (not open when it is still to be made) and the entry's name in it; for a move, the same for
  // the source; the status of the file as read.
  UniqueFd dir;
  std::string name;
  UniqueFd from_dir;
  std::string from_name;
  struct stat status {};
};

// A section or hunk that does not apply.
struct PatchFailure {
  std::string path;       // as results show it (escaped)
  size_t hunk = 0;        // 1-based index among the section's hunks; 0: the section itself
  std::string header;     // the hunk's "@@" line, if it has one
  size_t patch_line = 0;  // 1-based line of the patch where the hunk or section starts
  Failure reason = Failure::kRefused;
  std::string message;  // what is wrong and what to do
};

struct PatchPlan {
  std::vector<PlannedFile> files;  // in the patch's order
  std::vector<PatchFailure> failures;
  bool ok() const { return failures.empty(); }
};

PatchPlan plan_patch(const Workspace& workspace, const Patch& patch,
                     const PatchLimits& limits = {});

// Writes a plan without failures, in order: every write atomic (a temporary file renamed over
// the target, keeping the target's mode and owner), missing directories made, renames and
// deletions never following a symlink, each file first checked to be as it was read (code
// "conflict" otherwise). If a step fails, the steps already done are undone in reverse order:
// files written back as they were read, new files and directories removed, renames reversed.
// The error says what failed and whether everything was put back.
Status commit_patch(const Workspace& workspace, PatchPlan& plan);

}  // namespace benchtop::patch
