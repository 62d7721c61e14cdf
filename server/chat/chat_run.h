// One run of the agent on a chat thread, as its listeners see it: an append-only log of events
// that any number of streams read from any position (so a page that reloads re-attaches and
// replays what it missed), and the switch that cancels it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "common/cancellation.h"

namespace benchtop {

class ChatRun {
 public:
  void publish(nlohmann::json event);
  // No events follow; waiting readers wake up.
  void finish();
  void cancel() { cancel_.cancel(); }

  CancellationToken token() const { return cancel_.token(); }
  bool finished() const;
  // When finish() was called; std::nullopt while the run goes on.
  std::optional<std::chrono::steady_clock::time_point> finished_at() const;
  bool cancelled() const { return cancel_.cancelled(); }

  // Waits up to `timeout` for events after the first `from`, appends them to `out`, and returns
  // whether the run has finished and `out` now holds its last event.
  bool read(size_t from, std::vector<nlohmann::json>& out, std::chrono::milliseconds timeout) const;
  // Blocks until the run has finished.
  void wait() const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<nlohmann::json> events_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point finished_at_;
  CancellationSource cancel_;
};

}  // namespace benchtop
