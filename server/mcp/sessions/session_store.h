// The sessions of 2025-revision Streamable HTTP clients, keyed by Mcp-Session-Id. Ids come from
// the kernel CSPRNG (getrandom), never from a seeded PRNG, because a guessed id is a hijacked
// session.
//
// The table is bounded, and a flood of `initialize` requests must not lock everyone out until the
// idle timeout. So: a session whose handshake never finishes (no notifications/initialized, no
// later request) expires after a short handshake timeout; a full table makes room by evicting an
// idle session (no request in flight, no open stream), unconfirmed handshakes first (oldest
// first), then the least recently used; only a table full of sessions in use refuses a new one.
// A session that ends (DELETE, expiry, eviction) has its requests in flight cancelled.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/mcp/sessions/session.h"

namespace benchtop {

class SessionStore {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kDefaultHandshakeTimeout{60};

  explicit SessionStore(std::chrono::seconds idle_timeout, size_t max_sessions = 10000,
                        std::chrono::seconds handshake_timeout = kDefaultHandshakeTimeout)
      : idle_timeout_(idle_timeout),
        handshake_timeout_(handshake_timeout),
        max_sessions_(max_sessions) {}

  // A new session with a fresh id (evicting an idle one when the table is full), or nullptr when
  // every session in the table is in use.
  std::shared_ptr<Session> create();
  std::shared_ptr<Session> find(const std::string& id);
  // Removes and cancels a session's work. Returns false when it did not exist.
  bool remove(const std::string& id);
  // Ends the sessions whose handshake has been unconfirmed longer than the handshake timeout
  // (unless busy), and those without an open stream and without any message for longer than the
  // idle timeout (cancelling what they still have in flight: their client is gone). `now` is a
  // parameter so tests can drive the clock.
  size_t expire_idle(Clock::time_point now = Clock::now());
  size_t size() const;

 private:
  // Takes an idle session out of the table to make room; nullptr when none is idle.
  std::shared_ptr<Session> evict_locked();

  std::chrono::seconds idle_timeout_;
  std::chrono::seconds handshake_timeout_;
  size_t max_sessions_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  // Ids of sessions created with their handshake not yet confirmed, oldest first. Entries of
  // sessions since confirmed or gone are skipped when met, and dropped by expire_idle().
  std::deque<std::string> unconfirmed_;
};

}  // namespace benchtop
