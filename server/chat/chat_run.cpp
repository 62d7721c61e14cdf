#include "server/chat/chat_run.h"

namespace benchtop {

void ChatRun::publish(nlohmann::json event) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  changed_.notify_all();
}

void ChatRun::finish() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    finished_at_ = std::chrono::steady_clock::now();
  }
  changed_.notify_all();
}

bool ChatRun::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

std::optional<std::chrono::steady_clock::time_point> ChatRun::finished_at() const {
  std::lock_guard lock(mutex_);
  if (!finished_) return std::nullopt;
  return finished_at_;
}

bool ChatRun::read(size_t from, std::vector<nlohmann::json>& out,
                   std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return finished_ || events_.size() > from; });
  for (size_t i = from; i < events_.size(); ++i) out.push_back(events_[i]);
  return finished_;
}

void ChatRun::wait() const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return finished_; });
}

}  // namespace benchtop
