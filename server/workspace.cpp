#include "server/workspace.h"

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace benchtop {
namespace {

int openat2_beneath(int dir_fd, const char* path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dir_fd, path, &how, sizeof how));
}

Error errno_error(std::string_view relative, int err) {
  const std::string shown = relative.empty() ? "." : std::string(relative);
  switch (err) {
    case ENOENT:
      return Error::make("No such file or directory: " + shown, "not_found");
    case EXDEV:
    case ELOOP:
      return Error::make("Path escapes the workspace (through '..' or a symlink): " + shown,
                         "outside_workspace");
    case EEXIST:
      return Error::make("Already exists: " + shown, "exists");
    case ENOTDIR:
      return Error::make("Not a directory: " + shown, "not_directory");
    case EISDIR:
      return Error::make("Is a directory: " + shown, "is_directory");
    case EACCES:
    case EPERM:
      return Error::make("Permission denied: " + shown, "permission_denied");
    default:
      return Error::make(shown + ": " + std::strerror(err), "io_error");
  }
}

}  // namespace

Result<std::shared_ptr<Workspace>> Workspace::open(const std::filesystem::path& root) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(root, ec);
  if (ec) return Error::make("Workspace root " + root.string() + ": " + ec.message(), "not_found");
  UniqueFd fd(::open(canonical.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return errno_error(canonical.string(), errno);
  return std::shared_ptr<Workspace>(new Workspace(std::move(canonical), std::move(fd)));
}

Result<std::string> Workspace::relative_path(std::string_view user_path) const {
  if (user_path.find('\0') != std::string_view::npos) {
    return Error::make("Path contains a NUL byte", "invalid_path");
  }
  std::string_view rest = user_path;
  if (!rest.empty() && rest.front() == '/') {
    const std::string root = root_.string();
    if (rest.substr(0, root.size()) != root ||
        (rest.size() > root.size() && rest[root.size()] != '/')) {
      return Error::make("Absolute path is outside the workspace (" + root +
                             "); use a path relative to the workspace root",
                         "outside_workspace");
    }
    rest.remove_prefix(root.size());
  }
  std::string normalised;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('/', start);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view part = rest.substr(start, end - start);
    if (!part.empty() && part != ".") {
      if (!normalised.empty()) normalised.push_back('/');
      normalised.append(part);
    }
    start = end + 1;
  }
  return normalised;
}

Result<UniqueFd> Workspace::open_at(std::string_view relative, int flags, mode_t mode) const {
  const std::string path = relative.empty() ? "." : std::string(relative);
  int fd = openat2_beneath(root_fd_.get(), path.c_str(), flags, mode);
  if (fd < 0) return errno_error(relative, errno);
  return UniqueFd(fd);
}

Result<UniqueFd> Workspace::open_directory(std::string_view relative) const {
  return open_at(relative, O_RDONLY | O_DIRECTORY);
}

Result<std::pair<UniqueFd, std::string>> Workspace::open_parent(std::string_view relative,
                                                                bool create_missing) const {
  if (relative.empty())
    return Error::make("The workspace root itself cannot be used here", "is_root");
  const size_t slash = relative.rfind('/');
  std::string parent =
      slash == std::string_view::npos ? "" : std::string(relative.substr(0, slash));
  std::string name(slash == std::string_view::npos ? relative : relative.substr(slash + 1));
  if (name == "..") return Error::make("Path must name an entry, not '..'", "invalid_path");
  if (create_missing && !parent.empty()) {
    // Create each missing component beneath the root; mkdirat on a name inside an fd we opened
    // with RESOLVE_BENEATH cannot land outside.
    UniqueFd dir(::dup(root_fd_.get()));
    size_t start = 0;
    while (start < parent.size()) {
      size_t end = parent.find('/', start);
      if (end == std::string::npos) end = parent.size();
      const std::string part = parent.substr(start, end - start);
      if (::mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
        return errno_error(parent.substr(0, end), errno);
      }
      int next = openat2_beneath(dir.get(), part.c_str(), O_PATH | O_DIRECTORY, 0);
      if (next < 0) return errno_error(parent.substr(0, end), errno);
      dir.reset(next);
      start = end + 1;
    }
    return std::make_pair(std::move(dir), std::move(name));
  }
  auto dir = open_at(parent, O_PATH | O_DIRECTORY);
  if (!dir) return dir.take_error();
  return std::make_pair(std::move(dir).value(), std::move(name));
}

}  // namespace benchtop
