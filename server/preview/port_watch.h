// Notices when a process in a project's sandbox starts (or stops) listening on a TCP port, so
// that a preview can be offered as soon as a dev server is up.
//
// The sandbox is asked, not watched: there is no event for "a socket in another network namespace
// started listening", and asking a supervisor is one local round trip. Only projects someone
// subscribed to are asked, once per interval, and asking neither wakes a suspended sandbox nor
// counts as activity against idle suspend (see ContainerManager::listening_ports).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace benchtop {

class PortWatch {
 public:
  using Ports = std::vector<int>;  // ascending, without duplicates
  // The ports a project's sandbox listens on now; nullopt when it is not running (or cannot be
  // asked), which counts as no ports.
  using Probe = std::function<std::optional<Ports>(const std::string& project_id)>;
  // Told the ports that opened since the last look (never empty) and all the ports listening now.
  using Listener = std::function<void(const Ports& opened, const Ports& listening)>;

  // Ends a subscription when destroyed (or reset); movable.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&&) noexcept = default;
    Subscription& operator=(Subscription&&) noexcept = default;
    ~Subscription() = default;
    void reset() { token_.reset(); }

   private:
    friend class PortWatch;
    explicit Subscription(std::shared_ptr<void> token) : token_(std::move(token)) {}
    std::shared_ptr<void> token_;
  };

  // `interval == 0` starts no thread: the owner calls poll_once() (tests do).
  PortWatch(Probe probe, std::chrono::milliseconds interval);
  ~PortWatch();
  PortWatch(const PortWatch&) = delete;
  PortWatch& operator=(const PortWatch&) = delete;

  // Calls `listener` from the watch's thread whenever ports open in the project's sandbox after
  // this call; the ports listening at the time of the call are the baseline, not news.
  [[nodiscard]] Subscription subscribe(const std::string& project_id, Listener listener);

  // The ports listening now (no subscription needed).
  Ports listening(const std::string& project_id) const;

  // Asks every subscribed project's sandbox once and tells listeners what opened.
  void poll_once();

 private:
  struct Watcher {
    std::weak_ptr<void> alive;  // expires with the Subscription
    std::shared_ptr<Listener> listener;
  };
  struct Project {
    Ports last;
    std::vector<Watcher> watchers;
  };
  void run(std::chrono::milliseconds interval);

  Probe probe_;
  mutable std::mutex mutex_;
  std::map<std::string, Project> projects_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts after everything it reads exists
};

}  // namespace benchtop
