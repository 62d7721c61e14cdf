// A directory walker for the search tools that cannot be led outside the workspace: it starts
// from a directory fd the workspace guard opened and descends only with
// openat(O_DIRECTORY | O_NOFOLLOW) relative to the parent's fd, so a symlink is reported as an
// entry but never followed, and no host path string is ever built or opened.
//
// It reads directories with getdents64 into one reused buffer and takes entry types from d_type
// (no stat per file unless the filesystem leaves d_type unknown). Hidden entries are skipped unless
// asked for, `.git` always is, and .gitignore rules (every .gitignore from the root down, plus
// .git/info/exclude) are applied so ignored directories are never opened.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/workspace/entry_type.h"
#include "server/workspace/workspace.h"

namespace benchtop {

struct WalkEntry {
  std::string_view path;  // relative to the workspace root, never empty
  std::string_view name;  // the last component of `path`
  EntryType type;
  int parent_fd;  // the open parent directory; valid only during the visit callback
};

enum class WalkAction {
  kContinue,      // go on (and descend, if the entry is a directory)
  kSkipChildren,  // do not descend into this directory
  kStop,          // end the walk
};

struct WalkOptions {
  bool include_hidden = false;  // entries whose name starts with '.' (".git" is always skipped)
  bool respect_gitignore = true;
  bool sorted = true;  // visit each directory's entries in byte order, for deterministic output
  size_t max_depth = 128;
  CancellationToken cancellation;
};

struct WalkStats {
  size_t directories = 0;  // directories read, the start included
  size_t entries = 0;      // entries passed to the callback
  size_t unreadable = 0;   // directories that could not be opened or read (permissions, races)
  bool stopped = false;    // the callback asked to stop, or the walk was cancelled
};

using WalkVisitor = std::function<WalkAction(const WalkEntry&)>;

// Walks the directory `start` (a Workspace::relative_path() result, "" for the root). Entries
// ignored by .gitignore or hidden are not visited. Fails only when `start` cannot be opened as a
// directory; problems below it are counted in WalkStats::unreadable.
Result<WalkStats> walk_tree(const Workspace& workspace, std::string_view start,
                            const WalkOptions& options, const WalkVisitor& visit);

}  // namespace benchtop
