// InterruptScope cuts off blocking system calls of the thread it watches: a blocking open() of a
// FIFO once the budget is spent or the call is cancelled, and a read() retried on EINTR (as
// libgit2 does) once the other end of the FIFO is held open by someone else.
#include "common/interrupt_scope.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <string>

#include "tests/support/special_file_support.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;

class InterruptScopeTest : public ::testing::Test {
 protected:
  InterruptScopeTest() : fifo_(temp_.path() / "fifo") {
    EXPECT_TRUE(testing::make_special(fifo_, testing::SpecialKind::kFifo));
  }
  testing::TempDir temp_;
  std::filesystem::path fifo_;
};

TEST_F(InterruptScopeTest, ABlockingOpenEndsWhenTheBudgetIsSpent) {
  int error = 0;
  InterruptScope::Reason reason{};
  EXPECT_TRUE(testing::returns_within(5s,
                                      [&] {
                                        InterruptScope scope(CancellationToken(), 100ms);
                                        const int fd = ::open(fifo_.c_str(), O_RDONLY | O_CLOEXEC);
                                        error = fd < 0 ? errno : 0;
                                        if (fd >= 0) ::close(fd);
                                        reason = scope.reason();
                                      },
                                      {fifo_}));
  EXPECT_EQ(error, EINTR);
  EXPECT_EQ(reason, InterruptScope::Reason::kDeadline);
}

TEST_F(InterruptScopeTest, ABlockingOpenEndsWhenCancelled) {
  CancellationSource source;
  std::atomic<pid_t> tid{0};
  int error = 0;
  InterruptScope::Reason reason{};
  std::thread canceller([&] {
    // Cancel once the worker is blocked in openat (its syscall number is first in the file).
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < give_up) {
      if (const pid_t id = tid.load()) {
        std::ifstream in("/proc/self/task/" + std::to_string(id) + "/syscall");
        long number = -1;
        if (in >> number && number == SYS_openat) break;
      }
      std::this_thread::yield();
    }
    source.cancel();
  });
  EXPECT_TRUE(testing::returns_within(5s,
                                      [&] {
                                        InterruptScope scope(source.token(), std::chrono::hours(1));
                                        tid = static_cast<pid_t>(::syscall(SYS_gettid));
                                        const int fd = ::open(fifo_.c_str(), O_RDONLY | O_CLOEXEC);
                                        error = fd < 0 ? errno : 0;
                                        if (fd >= 0) ::close(fd);
                                        reason = scope.reason();
                                      },
                                      {fifo_}));
  canceller.join();
  EXPECT_EQ(error, EINTR);
  EXPECT_EQ(reason, InterruptScope::Reason::kCancelled);
}

// libgit2's p_read retries EINTR; with a writer holding the FIFO open the read would never end.
// The descriptor is pointed at /dev/null, so the retried read sees end-of-file.
TEST_F(InterruptScopeTest, AReadRetriedOnEintrEndsWhenAWriterHoldsTheFifo) {
  const int holder = ::open(fifo_.c_str(), O_RDWR | O_CLOEXEC);  // never writes
  ASSERT_GE(holder, 0);
  ssize_t last = -2;
  const auto release = [&] { (void)!::write(holder, "x", 1); };
  EXPECT_TRUE(testing::returns_within(
      5s,
      [&] {
        const int fd = ::open(fifo_.c_str(), O_RDONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        {
          InterruptScope scope(CancellationToken(), 50ms);
          char buffer[16];
          do {
            last = ::read(fd, buffer, sizeof buffer);
          } while (last < 0 && errno == EINTR);
        }
        ::close(fd);
      },
      release));
  ::close(holder);
  EXPECT_EQ(last, 0);
}

TEST_F(InterruptScopeTest, WorkThatFinishesInTimeIsLeftAlone) {
  CancellationSource source;
  InterruptScope::Reason reason{};
  {
    InterruptScope scope(source.token(), 10s);
    int pipe_fds[2];
    ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
    ASSERT_EQ(::write(pipe_fds[1], "ok", 2), 2);
    char buffer[2];
    EXPECT_EQ(::read(pipe_fds[0], buffer, 2), 2);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    reason = scope.reason();
  }
  EXPECT_EQ(reason, InterruptScope::Reason::kNone);
  source.cancel();  // after the scope: nothing left to interrupt, and nothing breaks
}

}  // namespace
}  // namespace benchtop
