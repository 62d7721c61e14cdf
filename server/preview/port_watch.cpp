#include "server/preview/port_watch.h"

#include <algorithm>
#include <iterator>

namespace benchtop {

PortWatch::PortWatch(Probe probe, std::chrono::milliseconds interval) : probe_(std::move(probe)) {
  if (interval.count() > 0) thread_ = std::thread([this, interval] { run(interval); });
}

PortWatch::~PortWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PortWatch::Subscription PortWatch::subscribe(const std::string& project_id, Listener listener) {
  // Asked before the lock is taken: a probe is a round trip to the sandbox.
  Ports baseline = listening(project_id);
  auto token = std::make_shared<int>(0);
  std::lock_guard lock(mutex_);
  auto [entry, created] = projects_.try_emplace(project_id);
  // A project already watched keeps its last look: what opened since then is news to everyone.
  if (created) entry->second.last = std::move(baseline);
  entry->second.watchers.push_back(Watcher{token, std::make_shared<Listener>(std::move(listener))});
  return Subscription(std::move(token));
}

PortWatch::Ports PortWatch::listening(const std::string& project_id) const {
  auto ports = probe_(project_id).value_or(Ports{});
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  return ports;
}

void PortWatch::poll_once() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (auto it = projects_.begin(); it != projects_.end();) {
      std::erase_if(it->second.watchers, [](const Watcher& w) { return w.alive.expired(); });
      if (it->second.watchers.empty()) {
        it = projects_.erase(it);
      } else {
        ids.push_back(it->first);
        ++it;
      }
    }
  }
  for (const auto& id : ids) {
    Ports now = listening(id);
    Ports opened;
    std::vector<std::shared_ptr<Listener>> listeners;
    {
      std::lock_guard lock(mutex_);
      auto it = projects_.find(id);
      if (it == projects_.end()) continue;
      std::set_difference(now.begin(), now.end(), it->second.last.begin(), it->second.last.end(),
                          std::back_inserter(opened));
      it->second.last = now;
      if (opened.empty()) continue;
      for (const auto& watcher : it->second.watchers) {
        if (!watcher.alive.expired()) listeners.push_back(watcher.listener);
      }
    }
    // Called without the lock, so a listener may subscribe or unsubscribe.
    for (const auto& listener : listeners) (*listener)(opened, now);
  }
}

void PortWatch::run(std::chrono::milliseconds interval) {
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    poll_once();
    lock.lock();
  }
}

}  // namespace benchtop
