#include "server/worker_pool.h"

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

// The reading duty the current thread holds, if any.
thread_local WorkerPool::ReadingDuty* t_duty = nullptr;

}  // namespace

WorkerPool::WorkerPool(size_t threads) {
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

WorkerPool::ReadingDuty::ReadingDuty(WorkerPool& pool, std::function<void()> resume)
    : pool_(pool), resume_(std::move(resume)), outer_(t_duty) {
  t_duty = this;
}

WorkerPool::ReadingDuty::~ReadingDuty() {
  if (t_duty == this) t_duty = outer_;
}

void WorkerPool::submit(std::function<void()> job) {
  enqueue({std::move(job), false});
}

void WorkerPool::submit_or_run_here(std::function<void()> job) {
  ReadingDuty* duty = t_duty;
  if (duty && &duty->pool_ == this && hand_off(*duty)) {
    duty->handed_off_ = true;
    t_duty = duty->outer_;  // this thread reads no more
    {
      std::lock_guard lock(mutex_);
      ++working_;
    }
    execute(job);
    std::lock_guard lock(mutex_);
    --working_;
    if (queued_work_ == 0 && working_ == 0) idle_.notify_all();
    return;
  }
  submit(std::move(job));
}

void WorkerPool::enqueue(Job job) {
  Pushed pushed;
  {
    std::lock_guard lock(mutex_);
    pushed = push_locked(std::move(job), /*to_front=*/false);
  }
  publish(pushed);
}

bool WorkerPool::hand_off(ReadingDuty& duty) {
  Pushed pushed;
  {
    std::lock_guard lock(mutex_);
    // An idle worker: one neither running something nor claimed by a queued job. The duty goes
    // to the front, so the first worker to look takes it, whoever submits next. A pool of one
    // never hands off: its only worker would be reading, and queued work would wait for ever.
    if (stopping_ || threads_.size() < 2 || running_ + jobs_.size() >= threads_.size()) {
      return false;
    }
    pushed = push_locked({duty.resume_, true}, /*to_front=*/true);
  }
  publish(pushed);
  return true;
}

WorkerPool::Pushed WorkerPool::push_locked(Job job, bool to_front) {
  if (!job.duty) ++queued_work_;
  if (to_front) {
    jobs_.push_front(std::move(job));
  } else {
    jobs_.push_back(std::move(job));
  }
  // A spinning worker takes the job without a wake-up; it holds spinner_ until it has either
  // seen the queue non-empty or re-checked it under this lock before sleeping.
  return {jobs_.size(), sleeping_ > 0 && !spinner_.load(std::memory_order_acquire)};
}

void WorkerPool::publish(Pushed pushed) {
  // Published after the lock is released: a spinner that saw it while we still held the lock
  // would block on it, and both threads would pay for a futex call on every hand-off.
  queued_.store(pushed.queued, std::memory_order_release);
  if (pushed.wake) work_ready_.notify_one();
}

void WorkerPool::execute(const std::function<void()>& job) {
  try {
    job();
  } catch (const std::exception& e) {
    log::error(std::string("worker job failed: ") + e.what());
  } catch (...) {
    log::error("worker job failed with a non-standard exception");
  }
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queued_work_ == 0 && working_ == 0; });
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
    Job job;
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
      if (!job.duty) {
        --queued_work_;
        ++working_;
      }
      // More work queued behind this job: hand it to another worker rather than leave it until
      // this one finishes.
      if (!jobs_.empty() && sleeping_ > 0) work_ready_.notify_one();
    }
    execute(job.run);
    {
      std::lock_guard lock(mutex_);
      --running_;
      if (!job.duty) --working_;
      if (queued_work_ == 0 && working_ == 0) idle_.notify_all();
    }
  }
}

}  // namespace benchtop
