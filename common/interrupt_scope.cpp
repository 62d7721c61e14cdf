#include "common/interrupt_scope.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "common/parse_number.h"

namespace benchtop {
namespace {

constexpr auto kRepeatEvery = std::chrono::milliseconds(20);
// Signals alone end a blocking open(); only a call still running after this many of them has its
// blocking descriptor replaced.
constexpr int kSignalsBeforeEscalation = 5;

// A request from the watchdog to the signal handler: replace descriptor `fd` by /dev/null if it
// still is the file (dev, ino) the thread was seen blocked on.
struct Escalation {
  std::atomic<int> fd{-1};
  std::atomic<dev_t> dev{0};
  std::atomic<ino_t> ino{0};
};

// The escalation slot of the thread running inside a scope (the executable's own TLS, so reading
// it in a signal handler is safe).
thread_local Escalation* t_escalation = nullptr;

void on_interrupt(int) {
  const int saved_errno = errno;
  if (Escalation* escalation = t_escalation) {
    const int fd = escalation->fd.exchange(-1, std::memory_order_acquire);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 &&
        st.st_dev == escalation->dev.load(std::memory_order_relaxed) &&
        st.st_ino == escalation->ino.load(std::memory_order_relaxed)) {
      const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
      if (null_fd >= 0) {
        ::dup3(null_fd, fd, O_CLOEXEC);
        ::close(null_fd);
      }
    }
  }
  errno = saved_errno;
}

void install_handler_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: the interrupted system call must fail with EINTR
    ::sigaction(InterruptScope::signal_number(), &action, nullptr);
  });
}

bool is_io_syscall(long number) {
  switch (number) {
    case SYS_read:
    case SYS_write:
    case SYS_pread64:
    case SYS_pwrite64:
    case SYS_readv:
    case SYS_writev:
    case SYS_recvfrom:
    case SYS_sendto:
    case SYS_recvmsg:
    case SYS_sendmsg:
      return true;
    default:
      return false;
  }
}

// The descriptor thread `tid` is blocked reading or writing, if it is not a regular file or a
// directory (those do not block indefinitely).
int blocked_special_fd(pid_t tid, struct stat& st) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/syscall");
  long number = -1;
  std::string fd_text;
  if (!(in >> number >> fd_text) || !is_io_syscall(number)) return -1;
  // The kernel writes the argument as 0x-prefixed hexadecimal.
  std::string_view hex = fd_text;
  if (hex.starts_with("0x")) hex.remove_prefix(2);
  const auto fd = parse_integer<int>(hex, 16);
  if (!fd || *fd < 0 || ::fstat(*fd, &st) != 0) return -1;
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return -1;
  return *fd;
}

}  // namespace

struct InterruptScope::State {
  std::mutex mutex;
  std::condition_variable wake;
  bool done = false;
  Reason reason = Reason::kNone;
  pthread_t thread{};
  pid_t tid = 0;
  Escalation escalation;
};

int InterruptScope::signal_number() {
  return SIGRTMIN + 3;
}

InterruptScope::InterruptScope(const CancellationToken& cancellation,
                               std::chrono::milliseconds budget)
    : state_(std::make_shared<State>()) {
  install_handler_once();
  sigset_t ours;
  sigemptyset(&ours);
  sigaddset(&ours, signal_number());
  ::pthread_sigmask(SIG_UNBLOCK, &ours, nullptr);
  state_->thread = ::pthread_self();
  state_->tid = static_cast<pid_t>(::syscall(SYS_gettid));
  t_escalation = &state_->escalation;

  // The callback outlives the scope (a token keeps its callbacks): it holds the state weakly.
  cancellation.on_cancel([weak = std::weak_ptr<State>(state_)] {
    if (auto state = weak.lock()) {
      std::lock_guard lock(state->mutex);
      if (state->reason == Reason::kNone) state->reason = Reason::kCancelled;
      state->wake.notify_all();
    }
  });

  const auto deadline = std::chrono::steady_clock::now() + budget;
  watchdog_ = std::thread([state = state_, deadline] {
    std::unique_lock lock(state->mutex);
    state->wake.wait_until(lock, deadline,
                           [&] { return state->done || state->reason != Reason::kNone; });
    if (state->done) return;
    if (state->reason == Reason::kNone) state->reason = Reason::kDeadline;
    for (int sent = 0; !state->done; ++sent) {
      if (sent >= kSignalsBeforeEscalation) {
        struct stat st {};
        const int fd = blocked_special_fd(state->tid, st);
        if (fd >= 0) {
          state->escalation.dev.store(st.st_dev, std::memory_order_relaxed);
          state->escalation.ino.store(st.st_ino, std::memory_order_relaxed);
          state->escalation.fd.store(fd, std::memory_order_release);
        }
      }
      // Under the lock: the thread cannot leave its scope (and end) while being signalled.
      ::pthread_kill(state->thread, signal_number());
      state->wake.wait_for(lock, kRepeatEvery, [&] { return state->done; });
    }
  });
}

InterruptScope::~InterruptScope() {
  {
    std::lock_guard lock(state_->mutex);
    state_->done = true;
  }
  state_->wake.notify_all();
  watchdog_.join();
  t_escalation = nullptr;
}

InterruptScope::Reason InterruptScope::reason() const {
  std::lock_guard lock(state_->mutex);
  return state_->reason;
}

}  // namespace benchtop
