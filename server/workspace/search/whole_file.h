// Reading a workspace file whole for a tool that scans many of them (fs_grep, code_find): through
// the guard, regular files only, never blocking on a special file, with a size cap and the same
// binary test everywhere (a NUL byte in the first 8 KiB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace benchtop {

inline constexpr size_t kBinaryProbeBytes = 8 * 1024;

// A reusable read buffer that is never zero-filled.
class ReadBuffer {
 public:
  char* reserve(size_t size);

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};

enum class ReadOutcome : uint8_t { kNotRead, kRead, kBinary, kTooLarge, kUnreadable };

// Reads the open regular file `fd` into `buffer` when it holds at most `max_bytes`; `contents`
// views what was read (valid until the buffer is reused), also for kBinary.
ReadOutcome read_whole_fd(int fd, size_t max_bytes, ReadBuffer& buffer, std::string_view& contents);

// Opens `path` (relative to `root_fd`, e.g. from walk_tree) beneath the root with
// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) and O_NOFOLLOW, so a path that is a symlink is
// not read and one whose directories were swapped for symlinks after the walk cannot leave the
// workspace, then reads it as read_whole_fd does. O_NONBLOCK: a FIFO swapped in cannot block.
ReadOutcome read_whole_file(int root_fd, const std::string& path, size_t max_bytes,
                            ReadBuffer& buffer, std::string_view& contents);

}  // namespace benchtop
