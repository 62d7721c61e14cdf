#include "server/project/interrupted_writes.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "common/unique_fd.h"
#include "server/workspace/atomic_file.h"
#include "server/workspace/search/tree_walk.h"
#include "server/workspace/workspace.h"

namespace benchtop {

namespace {

// A temporary file younger than this may belong to a writer that has not taken its lock yet.
constexpr auto kAbandonedAfter = std::chrono::seconds(2);
// The clean-up walk stops after this many entries: a leftover deeper in a huge tree waits.
constexpr size_t kMaxCleanupEntries = 200'000;

}  // namespace

size_t remove_abandoned_temp_files(const Workspace& workspace) {
  const auto now = std::chrono::system_clock::now();
  size_t removed = 0;
  size_t visited = 0;
  WalkOptions options;
  options.include_hidden = true;
  options.respect_gitignore = false;
  options.sorted = false;
  // A workspace that cannot be walked has nothing to clean: the error is of no use here.
  (void)walk_tree(workspace, "", options, [&](const WalkEntry& entry) {
    if (++visited > kMaxCleanupEntries) return WalkAction::kStop;
    if (entry.type != EntryType::kFile || !is_atomic_write_temp_name(entry.name)) {
      return WalkAction::kContinue;
    }
    const std::string name(entry.name);
    UniqueFd fd(::openat(entry.parent_fd, name.c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return WalkAction::kContinue;
    const auto modified = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    if (now - modified < kAbandonedAfter) return WalkAction::kContinue;
    // A live writer holds the lock; a killed one released it with its last descriptor.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return WalkAction::kContinue;
    if (::unlinkat(entry.parent_fd, name.c_str(), 0) == 0) ++removed;
    return WalkAction::kContinue;
  });
  return removed;
}

}  // namespace benchtop
