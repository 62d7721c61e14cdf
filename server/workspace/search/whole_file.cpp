#include "server/workspace/search/whole_file.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

namespace benchtop {

char* ReadBuffer::reserve(size_t size) {
  if (size > capacity_) {
    capacity_ = std::max(size, capacity_ * 2);
    data_.reset(new char[capacity_]);
  }
  return data_.get();
}

ReadOutcome read_whole_fd(int fd, size_t max_bytes, ReadBuffer& buffer,
                          std::string_view& contents) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return ReadOutcome::kUnreadable;
  const auto size = static_cast<size_t>(st.st_size);
  if (size > max_bytes) return ReadOutcome::kTooLarge;
  char* data = buffer.reserve(size + 1);
  size_t filled = 0;
  while (filled < size) {
    const ssize_t n = ::read(fd, data + filled, size - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadOutcome::kUnreadable;
    if (n == 0) break;  // shrank while we read: take what is there
    filled += static_cast<size_t>(n);
  }
  contents = std::string_view(data, filled);
  if (std::memchr(data, '\0', std::min(filled, kBinaryProbeBytes))) return ReadOutcome::kBinary;
  return ReadOutcome::kRead;
}

ReadOutcome read_whole_file(int root_fd, const std::string& path, size_t max_bytes,
                            ReadBuffer& buffer, std::string_view& contents) {
  open_how how{};
  how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how)));
  if (!fd) return ReadOutcome::kUnreadable;
  return read_whole_fd(fd.get(), max_bytes, buffer, contents);
}

}  // namespace benchtop
