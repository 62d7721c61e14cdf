// The threads that run request handlers. Handlers are synchronous and may block for as long as
// their work takes (a tool call, an SSE stream), so threads are started on demand up to a bound
// rather than kept in a small fixed set; complete requests beyond the bound wait in order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace benchtop {

class HandlerPool {
 public:
  explicit HandlerPool(size_t max_threads) : max_threads_(max_threads < 1 ? 1 : max_threads) {}
  ~HandlerPool() { shutdown(); }
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // Runs `job` on a pool thread. Ignored after shutdown().
  void submit(std::function<void()> job);
  // Drops the jobs not started yet, waits for the running ones, and joins every thread.
  void shutdown();

 private:
  void work();

  const size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace benchtop
