#include "server/checkpoints/tree_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "common/unique_fd.h"
#include "server/checkpoints/blob_store.h"
#include "server/workspace/atomic_file.h"
#include "server/workspace/regular_file.h"
#include "server/workspace/workspace.h"

namespace benchtop {

namespace {

constexpr std::array<std::string_view, 4> kExcludedNames = {".git", "node_modules", ".venv",
                                                            "__pycache__"};

bool excluded_name(std::string_view name) {
  return std::find(kExcludedNames.begin(), kExcludedNames.end(), name) != kExcludedNames.end() ||
         is_atomic_write_temp_name(name);
}

int64_t nanoseconds(const struct timespec& time) {
  return static_cast<int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

StatKey key_of(const struct stat& st) {
  return {st.st_ino, st.st_size, nanoseconds(st.st_mtim), nanoseconds(st.st_ctim), st.st_mode};
}

class Scanner {
 public:
  Scanner(const TreeState& known, BlobStore& blobs, const ScanLimits& limits)
      : known_(known), blobs_(blobs), limits_(limits), racy_after_ns_(racy_after(limits)) {}

  // The entry `name` of the directory `dir_fd`, reached as `path`, and what is beneath it.
  void visit(int dir_fd, const std::string& name, const std::string& path, size_t depth) {
    if (!admit(path)) return;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;  // gone
    ScannedEntry entry;
    entry.key = key_of(st);
    entry.racy = entry.key.ctime_ns >= racy_after_ns_ || entry.key.mtime_ns >= racy_after_ns_;
    entry.version.mode = st.st_mode & 0777;
    if (S_ISDIR(st.st_mode)) {
      entry.version.kind = FileVersion::Kind::kDirectory;
      result_.entries[path] = entry;
      if (!limits_.descend) return;
      UniqueFd child(
          ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (child) walk(child.get(), path + "/", depth + 1);
    } else if (S_ISREG(st.st_mode)) {
      entry.version.kind = FileVersion::Kind::kFile;
      entry.version.size = static_cast<uint64_t>(st.st_size);
      if (!reuse(path, entry)) read_file(dir_fd, name, path, entry);
      result_.entries[path] = std::move(entry);
    } else if (S_ISLNK(st.st_mode)) {
      entry.version.kind = FileVersion::Kind::kSymlink;
      entry.version.mode = 0;
      if (!reuse(path, entry)) read_symlink(dir_fd, name, entry);
      result_.entries[path] = std::move(entry);
    }
    // FIFOs, sockets and devices: nothing a checkpoint could put back.
  }

  // Everything in the directory `dir_fd`, whose entries are named `prefix` + name.
  void walk(int dir_fd, const std::string& prefix, size_t depth) {
    if (depth > limits_.max_depth) {
      stop("directories nest deeper than " + std::to_string(limits_.max_depth));
      return;
    }
    UniqueFd listing_fd(::dup(dir_fd));
    if (!listing_fd) return;
    DIR* listing = ::fdopendir(listing_fd.get());
    if (!listing) return;
    listing_fd.release();  // owned by `listing` now
    std::vector<std::string> names;
    while (const dirent* item = ::readdir(listing)) {
      const std::string_view name = item->d_name;
      if (name == "." || name == ".." || excluded_name(name)) continue;
      names.emplace_back(name);
      if (names.size() > limits_.max_entries) break;
    }
    ::closedir(listing);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (!result_.complete) return;
      visit(dir_fd, name, prefix + name, depth);
    }
  }

  ScanResult take() { return std::move(result_); }
  bool complete() const { return result_.complete; }
  void stop(std::string reason) {
    if (!result_.complete) return;
    result_.complete = false;
    result_.incomplete_reason = std::move(reason);
  }

 private:
  bool admit(const std::string& path) {
    if (!result_.complete) return false;
    if (result_.entries.size() >= limits_.max_entries) {
      stop("the workspace has more than " + std::to_string(limits_.max_entries) +
           " files and directories");
      return false;
    }
    if (std::chrono::steady_clock::now() > limits_.deadline) {
      stop("scanning the workspace took too long (stopped at " + path + ")");
      return false;
    }
    return true;
  }

  // Takes the content hash from the previous scan when the entry has not changed since.
  bool reuse(const std::string& path, ScannedEntry& entry) const {
    auto previous = known_.find(path);
    if (previous == known_.end() || previous->second.racy || !(previous->second.key == entry.key) ||
        previous->second.version.kind != entry.version.kind) {
      return false;
    }
    entry.version.blob = previous->second.version.blob;
    entry.version.size = previous->second.version.size;
    return true;
  }

  void read_file(int dir_fd, const std::string& name, const std::string& path,
                 ScannedEntry& entry) {
    if (entry.version.size > limits_.max_file_bytes) return;
    struct stat st {};
    auto fd = open_regular_at(dir_fd, name.c_str(), path, &st);
    if (!fd) return;
    entry.key = key_of(st);  // the version actually read
    auto bytes = read_to_end(fd->get(), path, limits_.max_file_bytes);
    if (!bytes) return;
    entry.version.size = bytes->size();
    if (auto kept = blobs_.put(*bytes)) entry.version.blob = std::move(kept).value();
  }

  void read_symlink(int dir_fd, const std::string& name, ScannedEntry& entry) {
    std::array<char, 4096> target{};
    const ssize_t length = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
    if (length < 0) return;
    const std::string_view text(target.data(), static_cast<size_t>(length));
    entry.version.size = text.size();
    if (auto kept = blobs_.put(text)) entry.version.blob = std::move(kept).value();
  }

  static int64_t racy_after(const ScanLimits& limits) {
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return nanoseconds(now) -
           std::chrono::duration_cast<std::chrono::nanoseconds>(limits.racy_window).count();
  }

  const TreeState& known_;
  BlobStore& blobs_;
  const ScanLimits& limits_;
  const int64_t racy_after_ns_;
  ScanResult result_;
};

}  // namespace

bool excluded_from_checkpoints(std::string_view path) {
  while (!path.empty()) {
    const size_t slash = path.find('/');
    if (excluded_name(path.substr(0, slash))) return true;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return false;
}

bool within_scope(std::string_view path, std::string_view scope) {
  return scope.empty() || path == scope ||
         (path.size() > scope.size() && path.starts_with(scope) && path[scope.size()] == '/');
}

ScanResult scan_tree(const Workspace& workspace, const std::vector<std::string>& scope,
                     const TreeState& known, BlobStore& blobs, const ScanLimits& limits) {
  Scanner scanner(known, blobs, limits);
  for (const auto& path : scope) {
    if (!scanner.complete()) break;
    if (path.empty()) {
      auto root = workspace.open_directory("");
      if (!root) {
        scanner.stop("the workspace cannot be opened: " + root.error().message);
        break;
      }
      scanner.walk(root->get(), "", 0);
      continue;
    }
    if (excluded_from_checkpoints(path)) continue;
    // The parent is resolved beneath the root; the entry itself is then looked at without
    // following it, like every entry of a walk.
    auto parent = workspace.open_parent(path);
    if (!parent) continue;  // a parent that does not exist holds nothing to record
    const auto depth = static_cast<size_t>(std::count(path.begin(), path.end(), '/'));
    scanner.visit(parent->first.get(), parent->second, path, depth);
  }
  return scanner.take();
}

std::vector<CheckpointChange> diff_trees(const TreeState& before, const TreeState& after) {
  std::vector<CheckpointChange> changes;
  auto old_it = before.begin();
  auto new_it = after.begin();
  while (old_it != before.end() || new_it != after.end()) {
    if (new_it == after.end() || (old_it != before.end() && old_it->first < new_it->first)) {
      changes.push_back({old_it->first, old_it->second.version, {}});
      ++old_it;
    } else if (old_it == before.end() || new_it->first < old_it->first) {
      changes.push_back({new_it->first, {}, new_it->second.version});
      ++new_it;
    } else {
      const ScannedEntry& was = old_it->second;
      const ScannedEntry& is = new_it->second;
      bool changed = !(was.version == is.version);
      // A directory's own version is its mode: its size and times change with what it holds.
      if (is.version.kind == FileVersion::Kind::kDirectory &&
          was.version.kind == FileVersion::Kind::kDirectory) {
        changed = was.version.mode != is.version.mode;
      } else if (!changed && is.version.blob.empty() &&
                 is.version.kind != FileVersion::Kind::kAbsent) {
        changed = !(was.key == is.key);  // content not kept: only its stat tells
      }
      if (changed) changes.push_back({old_it->first, was.version, is.version});
      ++old_it;
      ++new_it;
    }
  }
  return changes;
}

}  // namespace benchtop
