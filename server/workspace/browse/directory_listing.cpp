#include "server/workspace/browse/directory_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "server/workspace/path_escape.h"
#include "server/workspace/workspace.h"

namespace benchtop {
namespace {

std::string child_path(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "/" + name;
}

Result<std::vector<std::string>> sorted_names(int dir_fd, const std::string& shown) {
  // fdopendir takes ownership of its fd, so give it a fresh one for the same directory.
  UniqueFd listing(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!listing) return path_error(shown, errno);
  DIR* dir = ::fdopendir(listing.get());
  if (!dir) return path_error(shown, errno);
  listing.release();
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

struct Lister {
  const ListOptions& options;
  DirectoryListing listing;

  // Lists `dir_fd` (shown as `path`, workspace-relative) and, below the depth asked for, its
  // subdirectories. Children are opened by name with O_NOFOLLOW, so a symlink is listed as a
  // symlink and never entered.
  Status walk(int dir_fd, const std::string& path, int depth) {
    auto names = sorted_names(dir_fd, path.empty() ? "." : escape_path(path));
    if (!names) return names.take_error();
    for (const auto& name : *names) {
      if (options.cancelled && options.cancelled()) return Error::make("Cancelled", "cancelled");
      if (!options.include_hidden && name.front() == '.') continue;
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished
      if (listing.entries.size() >= options.max_entries) {
        listing.truncated = true;
        return {};
      }
      const std::string entry_path = child_path(path, name);
      DirectoryEntry entry{escape_path(entry_path), entry_type(st.st_mode), {}, {}};
      if (!S_ISDIR(st.st_mode)) entry.size = static_cast<int64_t>(st.st_size);
      if (S_ISLNK(st.st_mode)) {
        char target[4096];
        const ssize_t n = ::readlinkat(dir_fd, name.c_str(), target, sizeof target);
        if (n >= 0) entry.target = escape_path(std::string_view(target, static_cast<size_t>(n)));
      }
      listing.entries.push_back(std::move(entry));
      if (S_ISDIR(st.st_mode) && depth < std::clamp(options.depth, 1, ListOptions::kMaxDepth)) {
        UniqueFd child(
            ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) continue;  // unreadable or replaced meanwhile: listed, not entered
        if (auto status = walk(child.get(), entry_path, depth + 1); !status) return status;
        if (listing.truncated) return {};
      }
    }
    return {};
  }
};

}  // namespace

Result<DirectoryListing> list_directory(const Workspace& workspace, const std::string& relative,
                                        const ListOptions& options) {
  auto dir = workspace.open_directory(relative);
  if (!dir) return dir.take_error();
  Lister lister{options, {}};
  if (auto status = lister.walk(dir->get(), relative, 1); !status) return status.take_error();
  return std::move(lister.listing);
}

nlohmann::json to_json(const DirectoryEntry& entry) {
  nlohmann::json json = {{"path", entry.path}, {"type", to_string(entry.type)}};
  if (entry.size) json["size"] = *entry.size;
  if (entry.target) json["target"] = *entry.target;
  return json;
}

}  // namespace benchtop
