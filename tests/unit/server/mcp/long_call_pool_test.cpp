// LongCallPool's admission: a table of call sequences against the three caps (which call is the
// first refused, and with which message), slots released when a call returns, and shutdown
// cancelling what still runs.
#include "server/mcp/workers/long_call_pool.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_mcp_client.h"

namespace benchtop {
namespace {

// Jobs that block until released (or cancelled), so the test controls how many run.
class Jobs {
 public:
  std::function<void()> job(const CancellationSource& source) {
    return [this, token = source.token()] {
      token.on_cancel([this] {
        std::lock_guard lock(mutex_);
        changed_.notify_all();
      });
      std::unique_lock lock(mutex_);
      ++running_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return released_ || token.cancelled(); });
      --running_;
      changed_.notify_all();
    };
  }
  bool wait_running(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, test::kReplyDeadline, [&] { return running_ == count; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  ~Jobs() { release(); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int running_ = 0;
  bool released_ = false;
};

struct CapCase {
  const char* label;
  LongCallLimits limits;
  // (client, project) of each call in order; project "" is a call outside any project.
  std::vector<std::pair<std::string, std::string>> calls;
  size_t first_refused;  // index into calls; calls.size() when none is refused
  const char* message;   // part of the refusal
};

class LongCallCapTest : public ::testing::TestWithParam<CapCase> {};

TEST_P(LongCallCapTest, RefusesTheFirstCallBeyondACap) {
  const CapCase& c = GetParam();
  Jobs jobs;
  LongCallPool pool(c.limits);
  for (size_t i = 0; i < c.calls.size(); ++i) {
    const auto& [client, project] = c.calls[i];
    CancellationSource source;
    auto refused =
        pool.try_run({"shell_exec", project, project + "-name", client}, source, jobs.job(source));
    if (i < c.first_refused) {
      ASSERT_FALSE(refused) << "call " << i << ": " << *refused;
      continue;
    }
    ASSERT_TRUE(refused) << "call " << i << " should have been refused";
    EXPECT_EQ(refused->rfind("shell_exec was not started: ", 0), 0u) << *refused;
    EXPECT_NE(refused->find(c.message), std::string::npos) << *refused;
    EXPECT_NE(refused->find("call again"), std::string::npos) << *refused;
    break;
  }
  ASSERT_TRUE(jobs.wait_running(static_cast<int>(std::min(c.first_refused, c.calls.size()))));
  EXPECT_EQ(pool.running(), std::min(c.first_refused, c.calls.size()));
  jobs.release();
}

INSTANTIATE_TEST_SUITE_P(
    Caps, LongCallCapTest,
    ::testing::Values(
        CapCase{"PerProject",
                {.threads = 8, .per_project = 2, .per_client = 8},
                {{"a", "p"}, {"b", "p"}, {"c", "q"}, {"c", "p"}},
                3,
                "2 long-running calls are already running in project 'p-name', the most one "
                "project may run at once; wait for one to finish or cancel it"},
        CapCase{"PerProjectOfOne",
                {.threads = 8, .per_project = 1, .per_client = 8},
                {{"a", "p"}, {"a", "p"}},
                1,
                "1 long-running call is already running in project 'p-name'"},
        CapCase{"PerClient",
                {.threads = 8, .per_project = 8, .per_client = 2},
                {{"a", "p"}, {"a", "q"}, {"b", "q"}, {"a", "r"}},
                3,
                "you already have 2 long-running calls in progress, the most one client may run "
                "at once; wait for one to finish or cancel it"},
        CapCase{"PerClientCountsCallsOutsideProjects",
                {.threads = 8, .per_project = 1, .per_client = 2},
                {{"a", ""}, {"a", ""}, {"a", ""}},
                2,
                "you already have 2 long-running calls"},
        CapCase{"Total",
                {.threads = 3, .per_project = 8, .per_client = 8},
                {{"a", "p"}, {"b", "q"}, {"c", "r"}, {"d", "s"}},
                3,
                "the server is already running 3 long-running calls for all its clients"},
        CapCase{"WithinEveryCap",
                {.threads = 4, .per_project = 2, .per_client = 2},
                {{"a", "p"}, {"b", "p"}, {"c", "q"}, {"a", "q"}},
                4,
                ""}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(LongCallPoolTest, ASlotIsFreeAgainOnceItsCallReturns) {
  Jobs jobs;
  LongCallPool pool({.threads = 1, .per_project = 1, .per_client = 1});
  CancellationSource first;
  ASSERT_FALSE(pool.try_run({"t", "p", "p", "a"}, first, jobs.job(first)));
  ASSERT_TRUE(jobs.wait_running(1));
  CancellationSource second;
  EXPECT_TRUE(pool.try_run({"t", "p", "p", "a"}, second, jobs.job(second)));

  first.cancel();
  const auto deadline = std::chrono::steady_clock::now() + test::kReplyDeadline;
  while (pool.running() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(pool.running(), 0u);
  EXPECT_FALSE(pool.try_run({"t", "p", "p", "a"}, second, jobs.job(second)));
  EXPECT_TRUE(jobs.wait_running(1));
}

TEST(LongCallPoolTest, ShutdownCancelsTheCallsStillRunning) {
  Jobs jobs;
  CancellationSource source;
  {
    LongCallPool pool({.threads = 2, .per_project = 2, .per_client = 2});
    ASSERT_FALSE(pool.try_run({"t", "p", "p", "a"}, source, jobs.job(source)));
    ASSERT_TRUE(jobs.wait_running(1));
  }  // returns only once the job has seen its cancellation and returned
  EXPECT_TRUE(source.cancelled());
  EXPECT_TRUE(jobs.wait_running(0));
}

}  // namespace
}  // namespace benchtop
