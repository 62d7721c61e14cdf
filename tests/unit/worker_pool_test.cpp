#include "server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace benchtop {
namespace {

// One request at a time, as a sequential client sends them: each job is submitted only after the
// previous one finished, so every hand-off between a spinning and a sleeping worker is exercised.
// A lost wake-up would hang here (and fail by the test timeout).
TEST(WorkerPoolTest, RunsEveryJobOfAOneAtATimeSequence) {
  WorkerPool pool(4);
  for (int i = 0; i < 2000; ++i) {
    std::promise<int> done;
    auto result = done.get_future();
    pool.submit([&done, i] { done.set_value(i); });
    ASSERT_EQ(result.get(), i);
    if (i % 500 == 0) std::this_thread::yield();
  }
}

TEST(WorkerPoolTest, RunsBurstsFromManyThreadsConcurrently) {
  WorkerPool pool(3);
  std::atomic<int> ran{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < 4; ++t) {
    submitters.emplace_back([&] {
      for (int i = 0; i < 500; ++i) pool.submit([&ran] { ran.fetch_add(1); });
    });
  }
  for (auto& thread : submitters) thread.join();
  pool.wait_idle();
  EXPECT_EQ(ran.load(), 2000);
}

TEST(WorkerPoolTest, QueuedJobsRunOnOtherWorkersWhileOneBlocks) {
  WorkerPool pool(2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool.submit([released] { released.wait(); });
  // The second job must not wait behind the blocked first one.
  std::promise<void> second_ran;
  pool.submit([&second_ran] { second_ran.set_value(); });
  second_ran.get_future().wait();
  release.set_value();
  pool.wait_idle();
}

TEST(WorkerPoolTest, DestructionFinishesQueuedWork) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1);
    for (int i = 0; i < 100; ++i) pool.submit([&ran] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 100);
}

// --- Reading duties (leader/followers) -----------------------------------------------------------

// Blocks the pool's workers until released, so a test controls how many are idle.
class BlockedWorkers {
 public:
  BlockedWorkers(WorkerPool& pool, int count) {
    for (int i = 0; i < count; ++i) {
      std::promise<void> started;
      auto running = started.get_future();
      pool.submit([this, started = std::make_shared<std::promise<void>>(std::move(started))] {
        started->set_value();
        released_.wait();
      });
      running.wait();
    }
  }
  ~BlockedWorkers() { release(); }
  void release() {
    if (!released_set_) {
      released_set_ = true;
      release_.set_value();
    }
  }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  bool released_set_ = false;
};

TEST(WorkerPoolTest, AReaderRunsItsRequestInPlaceWhileAnIdleWorkerTakesOverTheReading) {
  WorkerPool pool(2);
  std::promise<std::thread::id> resumed;
  WorkerPool::ReadingDuty duty(pool, [&resumed] { resumed.set_value(std::this_thread::get_id()); });
  std::thread::id ran_on;
  pool.submit_or_run_here([&ran_on] { ran_on = std::this_thread::get_id(); });
  EXPECT_TRUE(duty.handed_off());
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_NE(resumed.get_future().get(), std::this_thread::get_id());
  pool.wait_idle();
}

TEST(WorkerPoolTest, WithNoIdleWorkerTheRequestIsQueuedAndTheReaderKeepsReading) {
  WorkerPool pool(2);
  BlockedWorkers blocked(pool, 2);
  WorkerPool::ReadingDuty duty(pool, [] { ADD_FAILURE() << "the duty was handed off"; });
  std::promise<std::thread::id> ran_on;
  pool.submit_or_run_here([&ran_on] { ran_on.set_value(std::this_thread::get_id()); });
  EXPECT_FALSE(duty.handed_off());
  blocked.release();
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  pool.wait_idle();
}

TEST(WorkerPoolTest, APoolOfOneNeverHandsItsWorkerTheReading) {
  WorkerPool pool(1);
  WorkerPool::ReadingDuty duty(pool, [] { ADD_FAILURE() << "the duty was handed off"; });
  std::promise<std::thread::id> ran_on;
  pool.submit_or_run_here([&ran_on] { ran_on.set_value(std::this_thread::get_id()); });
  EXPECT_FALSE(duty.handed_off());
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  pool.wait_idle();
}

TEST(WorkerPoolTest, PlainSubmitNeverRunsInPlaceAndOtherThreadsNeverHandOff) {
  WorkerPool pool(2);
  WorkerPool::ReadingDuty duty(pool, [] { ADD_FAILURE() << "the duty was handed off"; });
  std::promise<std::thread::id> ran_on;
  pool.submit([&ran_on] { ran_on.set_value(std::this_thread::get_id()); });
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  // A thread that holds no duty: submit_or_run_here queues.
  std::thread other([&pool] {
    std::promise<std::thread::id> where;
    pool.submit_or_run_here([&where] { where.set_value(std::this_thread::get_id()); });
    EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
  });
  other.join();
  EXPECT_FALSE(duty.handed_off());
  pool.wait_idle();
}

TEST(WorkerPoolTest, WaitIdleDoesNotWaitForAReadingDuty) {
  WorkerPool pool(2);
  std::promise<void> stop_reading;
  std::shared_future<void> stopped = stop_reading.get_future().share();
  std::promise<void> reading;
  WorkerPool::ReadingDuty duty(pool, [&reading, stopped] {
    reading.set_value();
    stopped.wait();  // a reader blocked on its input
  });
  pool.submit_or_run_here([] {});
  ASSERT_TRUE(duty.handed_off());
  reading.get_future().wait();
  pool.wait_idle();  // returns although the duty still runs
  stop_reading.set_value();
}

}  // namespace
}  // namespace benchtop
