#include "server/workspace/search/tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <vector>

#include "server/workspace/regular_file.h"
#include "server/workspace/search/gitignore.h"

namespace benchtop {
namespace {

// Ignore files larger than this are not ours to parse (git would, but a multi-megabyte
// .gitignore in a workspace is almost certainly not meant for people).
constexpr size_t kMaxIgnoreFileBytes = 1 << 20;
constexpr size_t kDirentBufferBytes = 64 * 1024;

// A FIFO or device named .gitignore is skipped, never read (it would block the walk).
std::optional<std::string> read_small_file(int dir_fd, const char* name) {
  struct stat st {};
  auto fd = open_regular_at(dir_fd, name, name, &st);
  if (!fd) return std::nullopt;
  if (static_cast<size_t>(st.st_size) > kMaxIgnoreFileBytes) return std::nullopt;
  std::string contents(static_cast<size_t>(st.st_size), '\0');
  size_t filled = 0;
  while (filled < contents.size()) {
    const ssize_t n = ::read(fd->get(), contents.data() + filled, contents.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    filled += static_cast<size_t>(n);
  }
  contents.resize(filled);
  return contents;
}

std::shared_ptr<const GitignoreFile> load_ignore_file(int dir_fd, const char* name,
                                                      std::string base) {
  auto contents = read_small_file(dir_fd, name);
  if (!contents) return nullptr;
  auto file = std::make_shared<GitignoreFile>(GitignoreFile::parse(*contents, std::move(base)));
  if (file->empty()) return nullptr;
  return file;
}

EntryType type_from_dirent(unsigned char d_type) {
  switch (d_type) {
    case DT_REG:
      return EntryType::kFile;
    case DT_DIR:
      return EntryType::kDirectory;
    case DT_LNK:
      return EntryType::kSymlink;
    default:
      return EntryType::kOther;
  }
}

EntryType type_from_stat(int dir_fd, const char* name) {
  struct stat st {};
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return EntryType::kOther;
  return entry_type(st.st_mode);
}

// One directory's entries, names packed into one string to keep allocations per directory, not
// per entry.
struct Listing {
  struct Item {
    uint32_t offset;
    uint32_t length;
    unsigned char d_type;
  };
  std::string names;
  std::vector<Item> items;

  std::string_view name(const Item& item) const {
    return {names.data() + item.offset, item.length};
  }
};

class Walker {
 public:
  Walker(const WalkOptions& options, const WalkVisitor& visit)
      : options_(options), visit_(visit), buffer_(kDirentBufferBytes) {}

  IgnoreStack& ignores() { return ignores_; }
  WalkStats& stats() { return stats_; }

  // Returns false when the walk must end.
  bool walk(int dir_fd, std::string& path, size_t depth) {
    if (options_.cancellation.cancelled()) return stop();
    Listing listing;
    if (!read_listing(dir_fd, listing)) {
      ++stats_.unreadable;
      return true;
    }
    ++stats_.directories;
    if (options_.sorted) {
      std::sort(listing.items.begin(), listing.items.end(),
                [&](const auto& a, const auto& b) { return listing.name(a) < listing.name(b); });
    }

    bool pushed_ignore = false;
    if (options_.respect_gitignore) {
      for (const auto& item : listing.items) {
        if (listing.name(item) != ".gitignore") continue;
        if (auto file = load_ignore_file(dir_fd, ".gitignore", path)) {
          ignores_.push(std::move(file));
          pushed_ignore = true;
        }
        break;
      }
    }

    bool keep_going = true;
    const size_t base_length = path.size();
    for (const auto& item : listing.items) {
      const std::string_view name = listing.name(item);
      if (name == "." || name == ".." || name == ".git") continue;
      if (!options_.include_hidden && name.front() == '.') continue;

      EntryType type = type_from_dirent(item.d_type);
      if (item.d_type == DT_UNKNOWN) type = type_from_stat(dir_fd, std::string(name).c_str());
      const bool is_dir = type == EntryType::kDirectory;

      path.resize(base_length);
      if (!path.empty()) path.push_back('/');
      path.append(name);

      if (options_.respect_gitignore && ignores_.match(path, is_dir) == IgnoreMatch::kIgnore) {
        continue;
      }
      ++stats_.entries;
      const std::string_view entry_path(path);
      const WalkAction action = visit_(
          WalkEntry{entry_path, entry_path.substr(entry_path.size() - name.size()), type, dir_fd});
      if (action == WalkAction::kStop) {
        keep_going = stop();
        break;
      }
      if (!is_dir || action == WalkAction::kSkipChildren || depth + 1 > options_.max_depth) {
        continue;
      }
      // O_NOFOLLOW on a single component: if the entry was swapped for a symlink since the
      // listing, the open fails instead of leaving the tree.
      const std::string child_name(name);
      UniqueFd child(
          ::openat(dir_fd, child_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child) {
        ++stats_.unreadable;
        continue;
      }
      if (!walk(child.get(), path, depth + 1)) {
        keep_going = false;
        break;
      }
    }
    path.resize(base_length);
    if (pushed_ignore) ignores_.pop();
    return keep_going;
  }

 private:
  bool stop() {
    stats_.stopped = true;
    return false;
  }

  bool read_listing(int dir_fd, Listing& listing) {
    for (;;) {
      const ssize_t n = ::getdents64(dir_fd, buffer_.data(), buffer_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      if (n == 0) return true;
      for (ssize_t offset = 0; offset < n;) {
        const auto* entry = reinterpret_cast<const dirent64*>(buffer_.data() + offset);
        offset += entry->d_reclen;
        const std::string_view name(entry->d_name);
        if (name == "." || name == "..") continue;
        listing.items.push_back({static_cast<uint32_t>(listing.names.size()),
                                 static_cast<uint32_t>(name.size()), entry->d_type});
        listing.names.append(name);
      }
    }
  }

  const WalkOptions& options_;
  const WalkVisitor& visit_;
  std::vector<char> buffer_;
  IgnoreStack ignores_;
  WalkStats stats_;
};

}  // namespace

Result<WalkStats> walk_tree(const Workspace& workspace, std::string_view start,
                            const WalkOptions& options, const WalkVisitor& visit) {
  auto start_fd = workspace.open_directory(start);
  if (!start_fd) return start_fd.take_error();

  Walker walker(options, visit);
  if (options.respect_gitignore) {
    // Rules from the root down to the start's parent still apply beneath the start.
    if (auto exclude = workspace.open_directory(".git/info")) {
      walker.ignores().set_exclude(load_ignore_file(exclude->get(), "exclude", ""));
    }
    std::string prefix;
    size_t position = 0;
    while (position < start.size()) {
      auto dir = workspace.open_directory(prefix);
      if (!dir) break;
      if (auto file = load_ignore_file(dir->get(), ".gitignore", prefix)) {
        walker.ignores().push(std::move(file));
      }
      size_t slash = start.find('/', position);
      if (slash == std::string_view::npos) slash = start.size();
      prefix = std::string(start.substr(0, slash));
      position = slash + 1;
    }
  }

  std::string path(start);
  walker.walk(start_fd->get(), path, 0);
  return walker.stats();
}

}  // namespace benchtop
