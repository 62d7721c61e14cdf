#include "transport/http_module/handler_pool.h"

#include <system_error>

namespace benchtop {

void HandlerPool::submit(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  jobs_.push_back(std::move(job));
  if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
    try {
      threads_.emplace_back([this] { work(); });
      return;
    } catch (const std::system_error&) {
      // No thread to be had now: the job waits for a running one.
    }
  }
  wake_.notify_one();
}

void HandlerPool::shutdown() {
  std::vector<std::thread> threads;
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(jobs_);
    threads.swap(threads_);
  }
  wake_.notify_all();
  dropped.clear();  // outside the lock: a job's captures may take time to destroy
  for (auto& thread : threads) thread.join();
}

void HandlerPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (stopping_) return;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // its captures (the connection) are released before waiting again
    lock.lock();
  }
}

}  // namespace benchtop
