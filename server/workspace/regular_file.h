// Reading workspace data never blocks on a special file. A FIFO blocks open() until a writer
// appears and read() until it writes; a character device can stream forever; a socket cannot be
// opened at all. Any of them can be planted in a workspace by code running in it, so every open of
// workspace data for I/O goes through here: it opens with O_NONBLOCK (an open of a FIFO returns at
// once), checks with fstat that the file is a regular one, and only then switches the descriptor
// back to blocking mode for the caller's reads.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop {

// Flags to add to an open() whose result goes to require_regular(): O_NONBLOCK so that opening a
// FIFO does not wait for a writer, O_NOCTTY so that a terminal never becomes ours.
inline constexpr int kSpecialFileSafeFlags = 04000 /* O_NONBLOCK */ | 0400 /* O_NOCTTY */;

// The error for a FIFO, socket or device at `shown` (code "not_regular").
Error not_regular_error(std::string_view shown);

// Accepts `fd` only if it is a regular file: a directory fails with code "is_directory", anything
// else with "not_regular". Unless `keep_nonblocking`, O_NONBLOCK is cleared again. `st`, if given,
// receives the file's status.
Status require_regular(int fd, std::string_view shown, struct stat* st = nullptr,
                       bool keep_nonblocking = false);

// openat(dir_fd, name) for reading, never following a final symlink, refusing special files as
// above. Errors name the file as `shown`.
Result<UniqueFd> open_regular_at(int dir_fd, const char* name, std::string_view shown,
                                 struct stat* st = nullptr);

// Reads `fd` to its end. More than `max_bytes` fails with code "too_large"; errors name `shown`.
Result<std::string> read_to_end(int fd, std::string_view shown, size_t max_bytes);

}  // namespace benchtop
