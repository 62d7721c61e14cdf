// Newline-delimited JSON over a pair of file descriptors (MCP's stdio transport).
#pragma once

#include <mutex>
#include <string>

#include "common/unique_fd.h"
#include "transport/connection.h"

namespace benchtop {

class StdioConnection : public Connection {
 public:
  // Takes ownership of both fds.
  StdioConnection(UniqueFd input, UniqueFd output, size_t max_message_bytes);

  // For serving on the process's own stdin/stdout: keeps fd 1 for protocol messages only by
  // moving it to a private fd and pointing fd 1 at stderr, so that a stray write to stdout from
  // anywhere in the process (or a child that inherits it) can never corrupt the wire.
  static StdioConnection take_process_stdio(size_t max_message_bytes);

  ReadResult read() override;
  bool write(std::string_view message) override;
  void close() override;

 private:
  bool fill_buffer();

  UniqueFd input_;
  UniqueFd output_;
  size_t max_message_bytes_;
  std::string buffer_;
  size_t scan_from_ = 0;  // bytes of buffer_ already known to hold no newline
  bool eof_ = false;
  std::mutex write_mutex_;
  bool write_failed_ = false;
};

}  // namespace benchtop
