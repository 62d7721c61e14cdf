#include "server/mcp/workers/worker_pool.h"

#include <chrono>
#include <exception>
#include <string>

#include "common/log.h"

namespace benchtop {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

WorkerPool::WorkerPool(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void WorkerPool::enqueue_locked(std::function<void()> job, bool& wake, size_t& queued) {
  jobs_.push_back(std::move(job));
  queued = jobs_.size();
  // A spinning worker takes the job without a wake-up; it holds spinner_ until it has either
  // seen the queue non-empty or re-checked it under this lock before sleeping.
  wake = sleeping_ > 0 && !spinner_.load(std::memory_order_acquire);
}

void WorkerPool::published(bool wake, size_t queued) {
  // Published after the lock is released: a spinner that saw it while we still held the lock
  // would block on it, and both threads would pay for a futex call on every hand-off.
  queued_.store(queued, std::memory_order_release);
  if (wake) work_ready_.notify_one();
}

void WorkerPool::submit(std::function<void()> job) {
  bool wake = false;
  size_t queued = 0;
  {
    std::lock_guard lock(mutex_);
    enqueue_locked(std::move(job), wake, queued);
  }
  published(wake, queued);
}

bool WorkerPool::try_submit(std::function<void()> job) {
  bool wake = false;
  size_t queued = 0;
  {
    std::lock_guard lock(mutex_);
    if (max_queued_ != 0 && jobs_.size() >= max_queued_) return false;
    enqueue_locked(std::move(job), wake, queued);
  }
  published(wake, queued);
  return true;
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return jobs_.empty() && running_ == 0; });
}

// A request-response client sends its next request a few tens of microseconds after reading an
// answer. Waking a sleeping thread costs about as much again on a virtual machine, so one worker
// at a time polls the queue for a short while before it sleeps; the others sleep at once.
bool WorkerPool::spin_for_work() {
  constexpr auto kSpinFor = std::chrono::microseconds(150);
  bool expected = false;
  if (!spinner_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return false;
  const auto until = std::chrono::steady_clock::now() + kSpinFor;
  for (int i = 0; queued_.load(std::memory_order_acquire) == 0; ++i) {
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() >= until) break;
  }
  return true;
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      if (jobs_.empty() && !stopping_) {
        lock.unlock();
        const bool was_spinner = spin_for_work();
        lock.lock();
        queued_.store(jobs_.size(), std::memory_order_relaxed);  // mend a hint published late
        // Still the spinner while re-checking under the lock, so a submit in between either
        // sees us as the spinner (and we see its job here) or sees us asleep and wakes us.
        ++sleeping_;
        if (was_spinner) spinner_.store(false, std::memory_order_release);
        work_ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        --sleeping_;
      }
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
      queued_.store(jobs_.size(), std::memory_order_release);
      ++running_;
      // More work queued behind this job: hand it to another worker rather than leave it until
      // this one finishes.
      if (!jobs_.empty() && sleeping_ > 0) work_ready_.notify_one();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log::error(std::string("worker job failed: ") + e.what());
    } catch (...) {
      log::error("worker job failed with a non-standard exception");
    }
    {
      std::lock_guard lock(mutex_);
      --running_;
      if (jobs_.empty() && running_ == 0) idle_.notify_all();
    }
  }
}

}  // namespace benchtop
