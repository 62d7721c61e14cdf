#include "transport/stdio_connection.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace benchtop {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

// Writes the message and its newline with one writev when the pipe takes it all (the usual case),
// without copying the message into a frame first.
bool write_line(int fd, std::string_view message) {
  static const char kNewline = '\n';
  iovec parts[2] = {{const_cast<char*>(message.data()), message.size()},
                    {const_cast<char*>(&kNewline), 1}};
  iovec* part = parts;
  int count = 2;
  while (count > 0) {
    const ssize_t n = ::writev(fd, part, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    size_t written = static_cast<size_t>(n);
    while (count > 0 && written >= part->iov_len) {
      written -= part->iov_len;
      ++part;
      --count;
    }
    if (count > 0) {
      part->iov_base = static_cast<char*>(part->iov_base) + written;
      part->iov_len -= written;
    }
  }
  return true;
}

}  // namespace

StdioConnection::StdioConnection(UniqueFd input, UniqueFd output, size_t max_message_bytes)
    : input_(std::move(input)), output_(std::move(output)), max_message_bytes_(max_message_bytes) {}

StdioConnection StdioConnection::take_process_stdio(size_t max_message_bytes) {
  // A client that closes its end must not kill us with SIGPIPE: writes fail and we exit cleanly.
  ::signal(SIGPIPE, SIG_IGN);
  UniqueFd protocol_out(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  UniqueFd protocol_in(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3));
  // Children must not read the protocol stream either.
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) {
    ::dup2(devnull, STDIN_FILENO);
    ::close(devnull);
  }
  return StdioConnection(std::move(protocol_in), std::move(protocol_out), max_message_bytes);
}

bool StdioConnection::fill_buffer() {
  char chunk[kReadChunk];
  for (;;) {
    ssize_t n = ::read(input_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

ReadResult StdioConnection::read() {
  bool discarding = false;  // inside an oversized frame, dropping bytes until its newline
  std::string head;         // the oversized frame's first bytes
  for (;;) {
    const size_t newline = buffer_.find('\n', scan_from_);
    if (newline != std::string::npos) {
      // The limit is on the message: a CRLF line ending does not count towards it.
      const size_t end = newline > 0 && buffer_[newline - 1] == '\r' ? newline - 1 : newline;
      std::string frame = buffer_.substr(0, end);
      buffer_.erase(0, newline + 1);
      scan_from_ = 0;
      if (discarding || frame.size() > max_message_bytes_) {
        if (!discarding) head = frame.substr(0, kOversizedHeadBytes);
        return OversizedMessage{max_message_bytes_, std::move(head)};
      }
      // Blank lines between messages carry nothing; skip them rather than report a parse error.
      if (frame.find_first_not_of(" \t") == std::string::npos) continue;
      return frame;
    }
    // One byte of slack: a message of exactly the limit may be waiting for the LF after its CR.
    if (buffer_.size() > max_message_bytes_ + 1) {
      if (!discarding) head = buffer_.substr(0, kOversizedHeadBytes);
      discarding = true;
      buffer_.clear();
    }
    scan_from_ = buffer_.size();
    if (eof_ || !fill_buffer()) {
      if (discarding) {
        buffer_.clear();
        return OversizedMessage{max_message_bytes_, std::move(head)};
      }
      if (buffer_.find_first_not_of(" \t\r") == std::string::npos) return EndOfStream{};
      // A final message without a trailing newline is still a message.
      std::string frame;
      frame.swap(buffer_);
      scan_from_ = 0;
      if (frame.back() == '\r') frame.pop_back();
      if (frame.size() > max_message_bytes_) {
        return OversizedMessage{max_message_bytes_, frame.substr(0, kOversizedHeadBytes)};
      }
      return frame;
    }
  }
}

bool StdioConnection::write(std::string_view message) {
  std::lock_guard lock(write_mutex_);
  if (write_failed_ || !output_) return false;
  if (!write_line(output_.get(), message)) write_failed_ = true;
  return !write_failed_;
}

void StdioConnection::close() {
  std::lock_guard lock(write_mutex_);
  output_.reset();
  // Wake a blocked read(): shutdown works on sockets; for pipes the reader sees EOF when the
  // writer closes, which is the peer's job.
  ::shutdown(input_.get(), SHUT_RD);
}

}  // namespace benchtop
