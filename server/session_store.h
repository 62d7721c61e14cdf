// The sessions of 2025-revision Streamable HTTP clients, keyed by Mcp-Session-Id. Ids come from
// the kernel CSPRNG (getrandom), never from a seeded PRNG, because a guessed id is a hijacked
// session. Idle sessions expire.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/session.h"

namespace benchtop {

class SessionStore {
 public:
  explicit SessionStore(std::chrono::seconds idle_timeout, size_t max_sessions = 10000)
      : idle_timeout_(idle_timeout), max_sessions_(max_sessions) {}

  // A new session with a fresh id, or nullptr when the store is full.
  std::shared_ptr<Session> create();
  std::shared_ptr<Session> find(const std::string& id);
  // Removes and cancels a session's work. Returns false when it did not exist.
  bool remove(const std::string& id);
  // Drops sessions idle longer than the timeout (those with requests in flight are kept).
  size_t expire_idle();
  size_t size() const;

 private:
  std::chrono::seconds idle_timeout_;
  size_t max_sessions_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
};

}  // namespace benchtop
