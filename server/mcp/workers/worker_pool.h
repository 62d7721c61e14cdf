// A fixed set of threads that run tool calls, so no tool ever runs on a transport thread and a
// slow tool cannot stall reading the next message (or its cancellation). The server's quick pool
// is one; LongCallPool runs long-running tools on another, so they never hold its threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace benchtop {

class WorkerPool {
 public:
  // `max_queued` bounds the jobs waiting for a thread that try_submit accepts (0: no bound).
  explicit WorkerPool(size_t threads, size_t max_queued = 0);
  ~WorkerPool();  // finishes queued work, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a job whatever the queue holds: for callers that bound their own work (the long-call
  // pool admits no more jobs than it has threads; a task's job was admitted as a call).
  void submit(std::function<void()> job);
  // Queues a job unless `max_queued` jobs are already waiting; false when the pool is full, so a
  // flood of calls is refused ("busy, retry") instead of growing the queue without end.
  [[nodiscard]] bool try_submit(std::function<void()> job);
  size_t max_queued() const { return max_queued_; }
  // Blocks until every submitted job has finished.
  void wait_idle();

 private:
  void run();

  // Polls the queue briefly when no other worker does; returns whether this one did.
  bool spin_for_work();

  void enqueue_locked(std::function<void()> job, bool& wake, size_t& queued);
  void published(bool wake, size_t queued);

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  size_t running_ = 0;
  size_t sleeping_ = 0;  // workers blocked on work_ready_
  bool stopping_ = false;
  // Mirrors of the state above, read without the lock by the one spinning worker.
  std::atomic<size_t> queued_{0};
  std::atomic<bool> spinner_{false};
  std::vector<std::thread> threads_;
};

}  // namespace benchtop
