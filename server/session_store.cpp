#include "server/session_store.h"

#include "common/random.h"

namespace benchtop {

std::shared_ptr<Session> SessionStore::create() {
  // 128 random bits as 32 hex characters: visible ASCII, as the spec requires of session ids.
  auto session = std::make_shared<Session>(random_hex(16));
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= max_sessions_) return nullptr;
  sessions_.emplace(session->id(), session);
  return session;
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

size_t SessionStore::expire_idle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<Session>> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      const auto& session = it->second;
      if (session->in_flight() == 0 && now - session->last_active() > idle_timeout_) {
        expired.push_back(session);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& session : expired) session->cancel_all();
  return expired.size();
}

size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace benchtop
