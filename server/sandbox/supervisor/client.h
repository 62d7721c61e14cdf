// benchtop's side of the supervisor protocol (protocol.h): a connection per request, deadlines
// on everything, and the supervisor's answers checked like any untrusted input.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/sandbox/supervisor/wire.h"

namespace benchtop::supervisor {

class Connection {
 public:
  // Connects to the supervisor listening at `socket`. Error code "unavailable" when nothing
  // listens there (no supervisor, or a dead one's socket file).
  static Result<Connection> open(const std::filesystem::path& socket, Clock::time_point deadline);

  // Sends `request` and returns the answer. `{"ok": false}` answers become an error with the
  // supervisor's words (code "sandbox"); a missing or malformed answer, code "protocol".
  Result<Frame> call(const nlohmann::json& request, std::string_view payload,
                     std::span<const int> fds, Clock::time_point deadline);

  int fd() const { return fd_.get(); }
  UniqueFd release() { return std::move(fd_); }

 private:
  explicit Connection(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// One request on a connection of its own.
Result<Frame> request(const std::filesystem::path& socket, const nlohmann::json& body,
                      std::chrono::milliseconds timeout, std::string_view payload = {},
                      std::span<const int> fds = {});

// A listening socket at `path` for a supervisor to inherit (any file already there is replaced),
// readable and writable by this user only.
Result<UniqueFd> listen_at(const std::filesystem::path& path);

}  // namespace benchtop::supervisor
