#include "server/workspace/regular_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "server/workspace/workspace.h"

namespace benchtop {

static_assert(kSpecialFileSafeFlags == (O_NONBLOCK | O_NOCTTY));

Error not_regular_error(std::string_view shown) {
  return Error::make(std::string(shown.empty() ? "." : shown) +
                         " is not a regular file (a FIFO, socket or device); only regular files "
                         "can be read",
                     "not_regular");
}

Status require_regular(int fd, std::string_view shown, struct stat* st, bool keep_nonblocking) {
  struct stat local {};
  struct stat& status = st ? *st : local;
  if (::fstat(fd, &status) != 0) return path_error(shown, errno);
  if (S_ISDIR(status.st_mode)) return path_error(shown, EISDIR);
  if (!S_ISREG(status.st_mode)) return not_regular_error(shown);
  if (!keep_nonblocking) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
      return path_error(shown, errno);
    }
  }
  return {};
}

Result<UniqueFd> open_regular_at(int dir_fd, const char* name, std::string_view shown,
                                 struct stat* st) {
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | kSpecialFileSafeFlags));
  if (!fd) {
    // A socket cannot be opened at all; say what it is rather than "No such device".
    if (errno == ENXIO) return not_regular_error(shown);
    return path_error(shown, errno);
  }
  if (auto status = require_regular(fd.get(), shown, st); !status) return status.take_error();
  return fd;
}

Result<std::string> read_to_end(int fd, std::string_view shown, size_t max_bytes) {
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return path_error(shown, errno);
    }
    if (n == 0) return data;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      return Error::make(
          std::string(shown) + " is larger than " + std::to_string(max_bytes) + " bytes",
          "too_large");
    }
  }
}

}  // namespace benchtop
