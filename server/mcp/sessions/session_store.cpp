#include "server/mcp/sessions/session_store.h"

#include <vector>

#include "common/random.h"

namespace benchtop {
namespace {

bool busy(const Session& session) {
  return session.in_flight() > 0 || session.open_streams() > 0;
}

}  // namespace

std::shared_ptr<Session> SessionStore::create() {
  // 128 random bits as 32 hex characters: visible ASCII, as the spec requires of session ids.
  auto session = std::make_shared<Session>(random_hex(16));
  std::shared_ptr<Session> evicted;
  {
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= max_sessions_) {
      evicted = evict_locked();
      if (!evicted) return nullptr;
    }
    sessions_.emplace(session->id(), session);
    unconfirmed_.push_back(session->id());
  }
  if (evicted) evicted->cancel_all();
  return session;
}

std::shared_ptr<Session> SessionStore::evict_locked() {
  // An unfinished handshake first, oldest first: a flood of `initialize` requests then evicts
  // itself rather than the sessions of clients that are really there.
  std::vector<std::string> skipped;  // unconfirmed but busy: kept in their place
  std::shared_ptr<Session> victim;
  while (!victim && !unconfirmed_.empty()) {
    std::string id = std::move(unconfirmed_.front());
    unconfirmed_.pop_front();
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->handshake_confirmed()) continue;
    if (busy(*it->second)) {
      skipped.push_back(std::move(id));
      continue;
    }
    victim = std::move(it->second);
    sessions_.erase(it);
  }
  unconfirmed_.insert(unconfirmed_.begin(), skipped.begin(), skipped.end());
  if (victim) return victim;

  // Otherwise the least recently used idle session.
  auto oldest = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (busy(*it->second)) continue;
    if (oldest == sessions_.end() || it->second->last_active() < oldest->second->last_active()) {
      oldest = it;
    }
  }
  if (oldest == sessions_.end()) return nullptr;
  victim = std::move(oldest->second);
  sessions_.erase(oldest);
  return victim;
}

std::shared_ptr<Session> SessionStore::find(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

bool SessionStore::remove(const std::string& id) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    session = std::move(it->second);
    sessions_.erase(it);
  }
  session->cancel_all();
  return true;
}

size_t SessionStore::expire_idle(Clock::time_point now) {
  std::vector<std::shared_ptr<Session>> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      const Session& session = *it->second;
      const auto idle_for = now - session.last_active();
      const bool unfinished_handshake =
          !session.handshake_confirmed() && !busy(session) && idle_for > handshake_timeout_;
      // A request in flight does not keep a session whose client is gone: a client waiting for
      // its answer keeps the request's stream open, and the stream touches the session.
      const bool abandoned = session.open_streams() == 0 && idle_for > idle_timeout_;
      if (unfinished_handshake || abandoned) {
        expired.push_back(it->second);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
    std::erase_if(unconfirmed_, [&](const std::string& id) {
      auto it = sessions_.find(id);
      return it == sessions_.end() || it->second->handshake_confirmed();
    });
  }
  for (auto& session : expired) session->cancel_all();
  return expired.size();
}

size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace benchtop
