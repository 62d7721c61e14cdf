// Frames between benchtop and a project's sandbox supervisor, over a Unix stream socket.
//
// A frame is an 8-byte header (the JSON text's length, then the payload's, each a little-endian
// uint32), the JSON text of one object, then raw payload bytes (process output, which need not
// be UTF-8). File descriptors travel with the header as SCM_RIGHTS. Both ends treat the other's
// frames as input to check: lengths and descriptor counts are bounded, a frame that breaks a
// bound ends the connection, and every read and write has a deadline, so a supervisor that
// stops answering (a frozen sandbox, or code in the project that stopped it) cannot hold a
// caller past its deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop::supervisor {

using Clock = std::chrono::steady_clock;

inline constexpr size_t kMaxJsonBytes = 64 * 1024;
inline constexpr size_t kMaxPayloadBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxFds = 16;

struct Frame {
  nlohmann::json body;  // always an object
  std::string payload;
  std::vector<UniqueFd> fds;  // close-on-exec in the receiver
};

// Sends one frame. Never raises SIGPIPE. Error codes: "timeout", "closed", "io".
Status send_frame(int socket, const nlohmann::json& body, std::string_view payload,
                  std::span<const int> fds, Clock::time_point deadline);
inline Status send_frame(int socket, const nlohmann::json& body, Clock::time_point deadline) {
  return send_frame(socket, body, {}, {}, deadline);
}

// Receives one frame. Error codes: "timeout", "closed" (the peer closed the connection before a
// frame began), "io", "protocol" (a bound broken, a torn frame, JSON that is not an object).
Result<Frame> receive_frame(int socket, Clock::time_point deadline);

// A connected pair of sockets (for tests and for a supervisor started by the caller).
Result<std::pair<UniqueFd, UniqueFd>> socket_pair();

}  // namespace benchtop::supervisor
