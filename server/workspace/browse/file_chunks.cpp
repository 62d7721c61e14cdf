#include "server/workspace/browse/file_chunks.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "server/workspace/workspace.h"

namespace benchtop {

FileChunks::FileChunks(int fd, size_t size, std::string shown)
    : fd_(fd), size_(size), shown_(std::move(shown)) {}

Result<std::string_view> FileChunks::next() {
  if (whole_file_buffered_) {
    // Replaying the single chunk: it is handed out once per pass.
    if (offset_ > 0) return std::string_view();
    offset_ = buffered_bytes_;
    return std::string_view(buffer_.get(), buffered_bytes_);
  }
  if (at_end_) return std::string_view();
  // Not zero-filled: a fresh zeroed 64 KiB per read was a visible share of a small read.
  if (!buffer_) buffer_ = std::make_unique_for_overwrite<char[]>(kChunkBytes);
  size_t filled = 0;
  while (filled < kChunkBytes) {
    const ssize_t n = ::pread(fd_, buffer_.get() + filled, kChunkBytes - filled,
                              static_cast<off_t>(offset_ + filled));
    if (n < 0) {
      if (errno == EINTR) continue;
      return path_error(shown_, errno);
    }
    if (n == 0) {
      at_end_ = true;
      break;
    }
    filled += static_cast<size_t>(n);
    // A short read that reaches the size fstat reported is the end: asking again would only
    // return 0. (A file that grows meanwhile is read as it was when opened.)
    if (offset_ + filled >= size_) {
      at_end_ = filled < kChunkBytes;
      break;
    }
  }
  if (offset_ == 0 && at_end_) whole_file_buffered_ = true;
  buffered_bytes_ = filled;
  offset_ += filled;
  return std::string_view(buffer_.get(), filled);
}

void FileChunks::rewind() {
  offset_ = 0;
  if (!whole_file_buffered_) at_end_ = false;
}

}  // namespace benchtop
