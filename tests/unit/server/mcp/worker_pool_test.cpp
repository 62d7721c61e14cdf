#include "server/mcp/workers/worker_pool.h"

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

// The queue holds at most its bound: with the only thread blocked and two jobs waiting, a third
// is refused at once; once the queue drains there is room again. submit() stays unbounded.
TEST(WorkerPoolTest, TrySubmitRefusesBeyondTheQueueBound) {
  WorkerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.try_submit([&started, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the thread is busy: what follows waits in the queue
  EXPECT_TRUE(pool.try_submit([&ran] { ran.fetch_add(1); }));
  EXPECT_TRUE(pool.try_submit([&ran] { ran.fetch_add(1); }));
  EXPECT_FALSE(pool.try_submit([&ran] { ran.fetch_add(100); }));
  pool.submit([&ran] { ran.fetch_add(1); });
  release.set_value();
  pool.wait_idle();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_TRUE(pool.try_submit([&ran] { ran.fetch_add(1); }));
  pool.wait_idle();
  EXPECT_EQ(ran.load(), 4);
}

TEST(WorkerPoolTest, DestructionFinishesQueuedWork) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1);
    for (int i = 0; i < 100; ++i) pool.submit([&ran] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace benchtop
