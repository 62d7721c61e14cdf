// Reads an open regular file front to back in chunks, for readers that make one or two passes over
// a file (read_file sniffs, counts and windows). The file's size from fstat tells which read
// reaches the end, so no extra read is spent to see end-of-file, and a file that fits in one chunk
// costs a single pread however many passes are made over it. System calls are the largest share of
// a small read's cost.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop {

class FileChunks {
 public:
  static constexpr size_t kChunkBytes = 64 * 1024;

  // `size` is the file's size when it was opened; `shown` names the file in error messages.
  FileChunks(int fd, size_t size, std::string shown);

  // The next chunk; empty at the end of the file. A chunk is valid until the next call.
  Result<std::string_view> next();

  // Starts a new pass from the beginning of the file.
  void rewind();

  // Bytes handed out so far in this pass.
  size_t offset() const { return offset_; }

 private:
  int fd_;
  size_t size_;
  std::string shown_;
  std::unique_ptr<char[]> buffer_;
  size_t offset_ = 0;  // file offset of the next chunk
  size_t buffered_bytes_ = 0;
  bool at_end_ = false;
  // The first chunk held the whole file: later passes replay it without reading again.
  bool whole_file_buffered_ = false;
};

}  // namespace benchtop
