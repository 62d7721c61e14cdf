// Lets a server answer its client's handshake while the services behind its tools are still
// being built: a request that needs them waits here until they are ready, or learns why they
// never will be. Opened once.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>

#include "common/result.h"

namespace benchtop {

class StartupGate {
 public:
  // Releases every waiter, now and later, with `outcome`. Only the first call counts.
  void open(Status outcome) {
    {
      std::lock_guard lock(mutex_);
      if (outcome_) return;
      outcome_ = std::move(outcome);
    }
    opened_.notify_all();
  }

  // Blocks until open() and returns its outcome.
  const Status& wait() const {
    std::unique_lock lock(mutex_);
    ++waiting_;
    opened_.wait(lock, [&] { return outcome_.has_value(); });
    --waiting_;
    return *outcome_;
  }

  // Threads blocked in wait() right now.
  size_t waiting() const {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

 private:
  mutable std::mutex mutex_;
  mutable size_t waiting_ = 0;
  mutable std::condition_variable opened_;
  std::optional<Status> outcome_;
};

}  // namespace benchtop
