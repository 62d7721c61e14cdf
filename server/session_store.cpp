#include "server/session_store.h"

#include <sys/random.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

namespace benchtop {

std::string random_token_hex(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  size_t filled = 0;
  while (filled < bytes) {
    ssize_t n = ::getrandom(buffer.data() + filled, bytes - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed");
    }
    filled += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : buffer) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::shared_ptr<Session> SessionStore::create() {
  auto session = std::make_shared<Session>(random_token_hex());
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
