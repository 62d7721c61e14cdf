// A Connection is a pipe of framed JSON-RPC messages (one string per message). stdio and the
// in-memory test pair implement it; the protocol layer serves any Connection the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace benchtop {

struct EndOfStream {};
// A frame longer than the connection's limit. Its bytes were discarded up to the next frame
// boundary, so the connection stays usable; the peer gets an error instead of a reply.
struct OversizedMessage {
  size_t limit;
  // The frame's first bytes (at most kOversizedHeadBytes), kept so the error can name the
  // request's id when it came early, as it usually does.
  std::string head;
};
inline constexpr size_t kOversizedHeadBytes = 4096;
using ReadResult = std::variant<std::string, OversizedMessage, EndOfStream>;

class Connection {
 public:
  virtual ~Connection() = default;

  // Blocks until the next frame, an oversized frame, or the end of the stream. Called from one
  // thread only.
  virtual ReadResult read() = 0;

  // Sends one frame. Thread-safe: replies are written from worker threads. Returns false once the
  // peer is gone.
  virtual bool write(std::string_view message) = 0;

  // Ends the stream: a blocked read() returns EndOfStream, further writes fail.
  virtual void close() = 0;
};

}  // namespace benchtop
