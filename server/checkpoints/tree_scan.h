// What is in (part of) a workspace, file by file, for checkpoints: every directory, file and
// symlink with its mode and, for files and symlinks, the SHA-256 of its content, which is kept in
// the blob store as it is read. Walks only through directory fds opened beneath the workspace root
// with O_NOFOLLOW, so a symlink or a directory swapped during the scan never leads it outside;
// FIFOs, sockets and devices are left out without being opened for reading.
//
// A scan is bounded (entries, depth, bytes per file, a deadline): a workspace too large or too
// slow to scan yields an incomplete scan rather than a call that hangs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/storage/checkpoint_repository.h"

namespace benchtop {

class BlobStore;
class Workspace;

// What identifies one version of an entry without reading it (as git's index does): a file whose
// inode, size, modification and change times are unchanged still has the content hashed before.
struct StatKey {
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  mode_t mode = 0;
  bool operator==(const StatKey&) const = default;
};

struct ScannedEntry {
  FileVersion version;
  StatKey key;
  // Changed so shortly before (or during) its scan that a later change could leave the same
  // times (file times move in clock ticks): its hash is not trusted by the next scan.
  bool racy = false;
};

// Entries by workspace-relative path ("src/main.py"), in path order.
using TreeState = std::map<std::string, ScannedEntry>;

struct ScanLimits {
  size_t max_entries = 30'000;
  size_t max_depth = 64;
  uint64_t max_file_bytes = 8 * 1024 * 1024;  // larger files are listed but their content not kept
  bool descend = true;  // false: a directory in the scope is listed without what it holds
  // An entry whose change time is this close to the scan's start, or after it, is racy.
  std::chrono::milliseconds racy_window{50};
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct ScanResult {
  TreeState entries;
  bool complete = true;
  std::string incomplete_reason;  // why not, for the record
};

// Whether checkpoints leave `path` out: anything inside a .git directory (the project's own
// history is never checkpointed, nor restored), dependency and cache directories a package
// manager recreates (node_modules, .venv, __pycache__), and the temporary files of writes in
// progress.
bool excluded_from_checkpoints(std::string_view path);

// Whether the workspace-relative `path` is `scope` or beneath it, component by component
// ("src/a" is within "src", "src2" is not); every path is within "" (the whole workspace).
bool within_scope(std::string_view path, std::string_view scope);

// Scans each path of `scope` ("" is the whole workspace) and what is beneath it. Contents of
// entries whose StatKey equals their entry in `known` are not read again. New contents are put in
// `blobs`; a content that cannot be kept (too large, unreadable) leaves version.blob empty.
ScanResult scan_tree(const Workspace& workspace, const std::vector<std::string>& scope,
                     const TreeState& known, BlobStore& blobs, const ScanLimits& limits);

// What changed between two scans of the same scope, in path order.
std::vector<CheckpointChange> diff_trees(const TreeState& before, const TreeState& after);

}  // namespace benchtop
