// A cancellation flag shared between whoever may cancel (a notifications/cancelled, a closed
// stream, a timeout) and the work that polls it. Callbacks let blocking work (a child process, a
// socket read) be interrupted instead of polled.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace benchtop {

class CancellationSource;

class CancellationToken {
 public:
  CancellationToken() = default;  // never cancelled
  bool cancelled() const { return state_ && state_->cancelled.load(std::memory_order_acquire); }

  // Runs `callback` once on cancellation (immediately if already cancelled). The callback runs on
  // the cancelling thread and must be short and non-blocking.
  void on_cancel(std::function<void()> callback) const;

 private:
  friend class CancellationSource;
  struct State {
    std::atomic<bool> cancelled{false};
    std::mutex mutex;
    std::vector<std::function<void()>> callbacks;
  };
  explicit CancellationToken(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

class CancellationSource {
 public:
  CancellationSource() : state_(std::make_shared<CancellationToken::State>()) {}
  CancellationToken token() const { return CancellationToken(state_); }
  bool cancelled() const { return state_->cancelled.load(std::memory_order_acquire); }
  void cancel() const;

 private:
  std::shared_ptr<CancellationToken::State> state_;
};

inline void CancellationToken::on_cancel(std::function<void()> callback) const {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->cancelled.load(std::memory_order_acquire)) {
      state_->callbacks.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

inline void CancellationSource::cancel() const {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->cancelled.exchange(true, std::memory_order_acq_rel)) return;
    callbacks.swap(state_->callbacks);
  }
  for (auto& callback : callbacks) callback();
}

}  // namespace benchtop
