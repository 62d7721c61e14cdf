#include "server/workspace/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

#include "common/unique_fd.h"
#include "server/workspace/workspace.h"

namespace benchtop {
namespace {

constexpr size_t kMaxNameLength = 255;
constexpr std::string_view kTempMarker = ".benchtop-";
constexpr std::string_view kTempExtension = ".tmp";
constexpr size_t kSuffixHexDigits = 16;

std::string random_suffix() {
  unsigned char bytes[8] = {};
  size_t filled = 0;
  while (filled < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // O_EXCL still keeps a collision from doing harm; it only fails the write
    filled += static_cast<size_t>(n);
  }
  std::string hex;
  char buffer[3];
  for (unsigned char byte : bytes) {
    std::snprintf(buffer, sizeof buffer, "%02x", byte);
    hex += buffer;
  }
  return hex;
}

Status write_all(int fd, std::string_view data, std::string_view shown) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return path_error(shown, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<size_t> copy_all(int from, int to, std::string_view shown) {
  size_t total = 0;
  for (;;) {
    const ssize_t n = ::copy_file_range(from, nullptr, to, nullptr, 1 << 30, 0);
    if (n > 0) {
      total += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) return total;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
      return path_error(shown, errno);
    }
    break;  // not supported between these files: fall back to read/write
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return path_error(shown, errno);
    }
    if (n == 0) return total;
    if (auto status = write_all(to, {buffer, static_cast<size_t>(n)}, shown); !status) {
      return status.take_error();
    }
    total += static_cast<size_t>(n);
  }
}

Status rename_into_place(int dir_fd, const std::string& temp, const std::string& name,
                         std::string_view shown, bool no_replace) {
  if (!no_replace) {
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
      return path_error(shown, errno);
    return {};
  }
  if (::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno != EINVAL) return path_error(shown, errno);
  // A file system without RENAME_NOREPLACE: linkat also refuses an existing name atomically.
  if (::linkat(dir_fd, temp.c_str(), dir_fd, name.c_str(), 0) != 0) return path_error(shown, errno);
  ::unlinkat(dir_fd, temp.c_str(), 0);
  return {};
}

}  // namespace

Result<size_t> write_file_atomic(int dir_fd, const std::string& name, std::string_view shown,
                                 std::string_view content, const AtomicWriteOptions& options) {
  std::string temp = "." + name + ".benchtop-" + random_suffix() + ".tmp";
  if (temp.size() > kMaxNameLength) temp = ".benchtop-" + random_suffix() + ".tmp";

  // O_EXCL|O_NOFOLLOW: the name is ours alone, never something planted in its place.
  UniqueFd fd(
      ::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!fd) return path_error(shown, errno);
  // Held until this process ends or closes the file: remove_abandoned_temp_files leaves it alone.
  ::flock(fd.get(), LOCK_EX | LOCK_NB);
  // Until the rename succeeds the temporary file is ours to remove on any failure.
  struct TempGuard {
    int dir_fd;
    const std::string& temp;
    bool armed = true;
    ~TempGuard() {
      if (armed) ::unlinkat(dir_fd, temp.c_str(), 0);
    }
  } guard{dir_fd, temp};

  size_t total = 0;
  if (options.prefix_fd >= 0) {
    auto copied = copy_all(options.prefix_fd, fd.get(), shown);
    if (!copied) return copied.take_error();
    total += *copied;
  }
  if (auto status = write_all(fd.get(), content, shown); !status) return status.take_error();
  total += content.size();

  if (options.existing) {
    // Ownership first: fchown may clear set-id bits, which fchmod then restores.
    if (::fchown(fd.get(), options.existing->st_uid, options.existing->st_gid) != 0 &&
        errno != EPERM) {
      return path_error(shown, errno);
    }
    if (::fchmod(fd.get(), options.existing->st_mode & 07777) != 0) return path_error(shown, errno);
  }
  if (::fsync(fd.get()) != 0) return path_error(shown, errno);

  if (options.unchanged_since) {
    struct stat now {};
    if (::fstatat(dir_fd, name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
        !same_file_version(now, *options.unchanged_since)) {
      return Error::make(std::string(shown) +
                             " was changed by someone else while being edited; nothing was "
                             "written. Read it again and retry.",
                         "conflict");
    }
  }
  if (auto status = rename_into_place(dir_fd, temp, name, shown, options.no_replace); !status) {
    return status.take_error();
  }
  guard.armed = false;

  // Make the rename itself durable. An O_PATH fd cannot be fsynced, so reopen the directory.
  UniqueFd dir(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
  return total;
}

bool same_file_version(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

bool is_atomic_write_temp_name(std::string_view name) {
  // The short form is the marker itself (".benchtop-<hex>.tmp"); the long one starts with a dot.
  if (name.size() < kTempMarker.size() + kSuffixHexDigits + kTempExtension.size() ||
      name.front() != '.' || !name.ends_with(kTempExtension)) {
    return false;
  }
  name.remove_suffix(kTempExtension.size());
  const std::string_view hex = name.substr(name.size() - kSuffixHexDigits);
  for (const char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  name.remove_suffix(kSuffixHexDigits);
  return name.ends_with(kTempMarker);
}

}  // namespace benchtop
