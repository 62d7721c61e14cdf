#include "server/workspace/workspace.h"

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "server/workspace/path_escape.h"
#include "server/workspace/regular_file.h"

namespace benchtop {
namespace {

// openat2 refuses with EAGAIN when a rename elsewhere on the system races with a RESOLVE_BENEATH
// lookup (the kernel cannot prove the walk stayed inside). That is not a refusal of the path, so
// retry a bounded number of times before giving up.
constexpr int kBeneathRetries = 64;

int openat2_beneath(int dir_fd, const char* path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    const int fd = static_cast<int>(::syscall(SYS_openat2, dir_fd, path, &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN || attempt == kBeneathRetries) return fd;
  }
}

// Splits on '/', dropping empty and "." components.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string_view>& parts, size_t from) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (!out.empty()) out.push_back('/');
    out.append(parts[i]);
  }
  return out;
}

// If `absolute` lies under `root` (compared component by component, so /tmp/ab is not under
// /tmp/a), the components after the root; otherwise nullopt.
std::optional<std::string> strip_root(const std::vector<std::string_view>& absolute,
                                      const std::filesystem::path& root) {
  if (root.empty()) return std::nullopt;
  const std::string root_text = root.string();
  const auto root_parts = components(root_text);
  if (absolute.size() < root_parts.size()) return std::nullopt;
  for (size_t i = 0; i < root_parts.size(); ++i) {
    if (absolute[i] != root_parts[i]) return std::nullopt;
  }
  return join(absolute, root_parts.size());
}

}  // namespace

Error path_error(std::string_view shown_path, int err) {
  const std::string shown = shown_path.empty() ? "." : std::string(shown_path);
  switch (err) {
    case ENOENT:
      return Error::make("No such file or directory: " + shown, "not_found");
    case EXDEV:
    case ELOOP:
      return Error::make(
          "Path escapes the workspace (through '..', an absolute path or a symlink): " + shown,
          "outside_workspace");
    case EEXIST:
      return Error::make("Already exists: " + shown, "exists");
    case ENOTDIR:
      return Error::make("Not a directory (a component of the path is a file): " + shown,
                         "not_directory");
    case EISDIR:
      return Error::make("Is a directory: " + shown, "is_directory");
    case EACCES:
    case EPERM:
      return Error::make("Permission denied: " + shown, "permission_denied");
    case EAGAIN:
      return Error::make("The file system changed while resolving " + shown + "; try again",
                         "busy");
    case ENAMETOOLONG:
      return Error::make("Path or file name too long: " + shown, "invalid_path");
    case ENOSPC:
    case EDQUOT:
      return Error::make("No space left writing " + shown +
                             ": the workspace's disk is full (its cap, or the host's disk). "
                             "Nothing was written; delete files no longer needed (shell_exec "
                             "'du -sh * .[!.]*' shows what is large) and retry.",
                         "no_space");
    default:
      return Error::make(shown + ": " + std::strerror(err), "io_error");
  }
}

Result<std::shared_ptr<Workspace>> Workspace::open(const std::filesystem::path& root) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(root, ec);
  if (ec) return Error::make("Workspace root " + root.string() + ": " + ec.message(), "not_found");
  UniqueFd fd(::open(canonical.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return path_error(canonical.string(), errno);
  auto alias = std::filesystem::absolute(root, ec).lexically_normal();
  if (ec) alias.clear();
  return std::shared_ptr<Workspace>(
      new Workspace(std::move(canonical), std::move(alias), std::move(fd)));
}

Result<std::string> Workspace::relative_path(std::string_view escaped_path) const {
  // Names in results are escaped (path_escape.h); a path copied from one names the same file.
  const std::string unescaped = unescape_path(escaped_path);
  const std::string_view user_path = unescaped;
  if (user_path.find('\0') != std::string_view::npos) {
    return Error::make("Path contains a NUL byte", "invalid_path");
  }
  const auto parts = components(user_path);
  if (user_path.empty() || user_path.front() != '/') return join(parts, 0);
  if (auto inside = strip_root(parts, root_)) return *inside;
  if (auto inside = strip_root(parts, alias_)) return *inside;
  return Error::make("Absolute path is outside the workspace (" + root_.string() +
                         "); use a path relative to the workspace root",
                     "outside_workspace");
}

Result<UniqueFd> Workspace::open_at(std::string_view relative, int flags, mode_t mode) const {
  const std::string path = relative.empty() ? "." : std::string(relative);
  if (path.find('\0') != std::string::npos) {
    return Error::make("Path contains a NUL byte", "invalid_path");
  }
  // Anything opened for I/O (not O_PATH, not a directory) must be a regular file: opened without
  // blocking, checked, then made blocking again unless the caller asked for O_NONBLOCK itself.
  const bool for_io = (flags & (O_PATH | O_DIRECTORY)) == 0;
  const int open_flags = for_io ? flags | kSpecialFileSafeFlags : flags;
  UniqueFd fd(openat2_beneath(root_fd_.get(), path.c_str(), open_flags, mode));
  if (!fd) {
    if (for_io && errno == ENXIO) return not_regular_error(relative);  // a socket
    return path_error(relative, errno);
  }
  if (for_io) {
    if (auto regular = require_regular(fd.get(), relative, nullptr, (flags & O_NONBLOCK) != 0);
        !regular) {
      return regular.take_error();
    }
  }
  return fd;
}

Result<UniqueFd> Workspace::open_directory(std::string_view relative) const {
  return open_at(relative, O_RDONLY | O_DIRECTORY);
}

Result<std::pair<UniqueFd, std::string>> Workspace::open_parent(std::string_view relative,
                                                                bool create_missing) const {
  if (relative.find('\0') != std::string_view::npos) {
    return Error::make("Path contains a NUL byte", "invalid_path");
  }
  const auto parts = components(relative);
  if (parts.empty()) {
    return Error::make("The workspace root itself cannot be used here", "is_root");
  }
  std::string name(parts.back());
  if (name == "..") return Error::make("Path must name an entry, not '..'", "invalid_path");
  const std::vector<std::string_view> parent_parts(parts.begin(), parts.end() - 1);
  const std::string parent = join(parent_parts, 0);

  auto dir = open_at(parent, O_PATH | O_DIRECTORY);
  if (dir || !create_missing || dir.error().code != "not_found") {
    if (!dir) return dir.take_error();
    return std::make_pair(std::move(dir).value(), std::move(name));
  }

  // Walk down from the root: every prefix is resolved beneath the root fd, a missing component is
  // created with mkdirat inside the directory fd just resolved, and then resolved again from the
  // root, so a component swapped for a symlink meanwhile is judged like any other path.
  UniqueFd current(::dup(root_fd_.get()));
  if (!current) return path_error(".", errno);
  for (size_t i = 0; i < parent_parts.size(); ++i) {
    const std::vector<std::string_view> prefix_parts(parent_parts.begin(),
                                                     parent_parts.begin() + i + 1);
    const std::string prefix = join(prefix_parts, 0);
    auto next = open_at(prefix, O_PATH | O_DIRECTORY);
    if (!next && next.error().code == "not_found") {
      const std::string part(parent_parts[i]);
      if (::mkdirat(current.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
        return path_error(prefix, errno);
      }
      next = open_at(prefix, O_PATH | O_DIRECTORY);
    }
    if (!next) return next.take_error();
    current = std::move(next).value();
  }
  return std::make_pair(std::move(current), std::move(name));
}

Result<struct stat> Workspace::stat_at(std::string_view relative, bool follow_final_symlink) const {
  struct stat st {};
  if (follow_final_symlink || components(relative).empty()) {
    auto fd = open_at(relative, O_PATH);
    if (!fd) return fd.take_error();
    if (::fstat(fd->get(), &st) != 0) return path_error(relative, errno);
    return st;
  }
  auto parent = open_parent(relative);
  if (!parent) return parent.take_error();
  if (::fstatat(parent->first.get(), parent->second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return path_error(relative, errno);
  }
  return st;
}

Result<std::string> Workspace::read_link(std::string_view relative) const {
  auto parent = open_parent(relative);
  if (!parent) return parent.take_error();
  std::string target(256, '\0');
  for (;;) {
    const ssize_t n =
        ::readlinkat(parent->first.get(), parent->second.c_str(), target.data(), target.size());
    if (n < 0) {
      if (errno == EINVAL) return Error::make("Not a symlink: " + std::string(relative), "invalid");
      return path_error(relative, errno);
    }
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

Workspace::LinkTarget Workspace::classify_link(std::string_view relative) const {
  auto fd = open_at(relative, O_PATH);
  if (fd) return LinkTarget::kInside;
  return fd.error().code == "outside_workspace" ? LinkTarget::kOutside : LinkTarget::kDangling;
}

}  // namespace benchtop
