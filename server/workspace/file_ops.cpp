#include "server/workspace/file_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/unique_fd.h"

namespace benchtop {
namespace {

Error io_error(const std::string& what, int err) {
  return Error::make(what + ": " + std::strerror(err), "io_error");
}

Status empty_directory(int dir_fd, const std::string& shown) {
  UniqueFd listing_fd(::dup(dir_fd));
  if (!listing_fd) return io_error(shown, errno);
  DIR* dir = ::fdopendir(listing_fd.get());
  if (!dir) return io_error(shown, errno);
  listing_fd.release();  // owned by `dir` now
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  for (const auto& name : names) {
    if (auto status = remove_tree_at(dir_fd, name); !status) return status;
  }
  return {};
}

}  // namespace

Status remove_tree_at(int parent_fd, const std::string& name) {
  if (::unlinkat(parent_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return io_error(name, errno);
  UniqueFd child(
      ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!child) return io_error(name, errno);
  if (auto status = empty_directory(child.get(), name); !status) return status;
  if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return io_error(name, errno);
  }
  return {};
}

}  // namespace benchtop
