// Replacing a file's contents all at once: readers see the old bytes or the new ones, never a mix,
// and a crash leaves one of the two. The data goes to a fresh temporary file in the same directory
// which is fsynced and renamed over the target; the existing inode is never written in place, so
// neither a symlink nor a hard link planted at the target can carry the write elsewhere.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop {

class Workspace;

struct AtomicWriteOptions {
  // Fail with code "exists" if `name` exists when the rename happens (renameat2 RENAME_NOREPLACE).
  bool no_replace = false;
  // The target's current status, if it exists: its permission bits (and owner, where allowed) are
  // carried over to the new file. A new file gets 0666 minus the umask.
  const struct stat* existing = nullptr;
  // If set, the rename happens only if the target is still this inode with this size and mtime;
  // otherwise the write fails with code "conflict" (someone changed the file since it was read).
  const struct stat* unchanged_since = nullptr;
  // If >= 0, a readable fd whose whole contents are written before `content` (append).
  int prefix_fd = -1;
};

// Writes `content` as `name` inside the directory `dir_fd` (an O_PATH fd is fine). `shown` is the
// path used in error messages. Returns the number of bytes in the new file.
//
// The temporary file is named ".<name>.benchtop-<16 hex digits>.tmp" (".benchtop-<hex>.tmp" when
// that would be too long) and holds an flock for as long as its writer lives, so a leftover of a
// killed process can be told from a write in progress.
Result<size_t> write_file_atomic(int dir_fd, const std::string& name, std::string_view shown,
                                 std::string_view content, const AtomicWriteOptions& options = {});

// Whether two stats describe the same version of a file: the same inode with the same size and
// modification time (what AtomicWriteOptions::unchanged_since compares).
bool same_file_version(const struct stat& a, const struct stat& b);

// True for exactly the names write_file_atomic gives its temporary files (see
// server/project/interrupted_writes.h for their clean-up).
bool is_atomic_write_temp_name(std::string_view name);

}  // namespace benchtop
