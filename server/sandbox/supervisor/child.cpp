#include "server/sandbox/supervisor/child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace benchtop::supervisor {
namespace {

// What the child was doing when it failed, sent with errno through the error pipe.
enum Stage : int { kSession = 1, kCgroup, kStdio, kDescriptors, kDirectory, kExec };

struct Failure {
  int stage = 0;
  int error = 0;
};

// Between fork and exec the child runs only async-signal-safe calls: the supervisor runs on a
// thread of a multithreaded test program too, where another thread may hold malloc's lock.
[[noreturn]] void fail_in_child(int error_fd, Stage stage) {
  const Failure failure{stage, errno != 0 ? errno : EIO};
  (void)!::write(error_fd, &failure, sizeof failure);
  ::_exit(127);
}

[[noreturn]] void run_child(const SpawnSpec& spec, char* const* argv, char* const* envp,
                            int error_fd) {
  if (::setsid() < 0) fail_in_child(error_fd, kSession);
  // First, so the command and all it starts are counted in the caller's cgroup.
  for (const int fd : spec.cgroup_procs_fds) {
    errno = 0;
    if (::write(fd, "0", 1) != 1) fail_in_child(error_fd, kCgroup);
  }
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Copies above 2 first: a descriptor that already is 0, 1 or 2 would otherwise be overwritten
  // by another's dup2, or keep its close-on-exec flag (dup2 onto itself does not clear it).
  const int in = ::fcntl(spec.stdin_fd, F_DUPFD_CLOEXEC, 3);
  const int out = ::fcntl(spec.stdout_fd, F_DUPFD_CLOEXEC, 3);
  const int err = ::fcntl(spec.stderr_fd, F_DUPFD_CLOEXEC, 3);
  if (in < 0 || out < 0 || err < 0) fail_in_child(error_fd, kStdio);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
    fail_in_child(error_fd, kStdio);
  }
  // Nothing of the supervisor's (the listening socket, other commands' pipes, client
  // connections) reaches the command. Close-on-exec rather than closing now: the error pipe must
  // stay open until the exec succeeds.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail_in_child(error_fd, kDescriptors);
  if (::chdir(spec.directory.c_str()) != 0) fail_in_child(error_fd, kDirectory);
  ::execve(spec.shell.c_str(), argv, envp);
  fail_in_child(error_fd, kExec);
}

std::string describe(const Failure& failure, const SpawnSpec& spec) {
  const std::string reason = std::strerror(failure.error);
  switch (failure.stage) {
    case kSession:
      return "cannot start a session for the command: " + reason;
    case kCgroup:
      return "cannot move the command into its cgroup: " + reason;
    case kStdio:
      return "cannot give the command its standard input and output: " + reason;
    case kDescriptors:
      return "cannot close the supervisor's descriptors in the command: " + reason;
    case kDirectory:
      return "cannot change to the working directory " + spec.directory + ": " + reason;
    case kExec:
      return "cannot run " + spec.shell + ": " + reason;
    default:
      return "the command failed to start: " + reason;
  }
}

// Waits for the child's report: a Failure, or end of file when its exec closed the pipe.
Result<std::optional<Failure>> wait_for_exec(int error_fd, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    Failure failure;
    const ssize_t n = ::read(error_fd, &failure, sizeof failure);
    if (n == static_cast<ssize_t>(sizeof failure)) return std::optional<Failure>(failure);
    if (n == 0) return std::optional<Failure>();
    if (n > 0) return Error::make("the command's start report was torn");
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return Error::make(std::string("read: ") + std::strerror(errno));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error::make("the command did not start in time");
    pollfd entry{error_fd, POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(left.count()) + 1) < 0 && errno != EINTR) {
      return Error::make(std::string("poll: ") + std::strerror(errno));
    }
  }
}

}  // namespace

Exit Exit::from_wait_status(int status) {
  Exit exit;
  if (WIFSIGNALED(status)) {
    exit.signal = WTERMSIG(status);
  } else {
    exit.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return exit;
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)), exit_(other.exit_) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    exit_ = other.exit_;
  }
  return *this;
}

Child::~Child() {
  release();
}

void Child::release() {
  if (running()) {
    signal_group(SIGKILL);
    // Also the child itself, in case it failed before its setsid made it a group leader.
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  pidfd_.reset();
  exit_.reset();
}

bool Child::try_reap() {
  if (exit_) return true;
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  // ECHILD: not our child any more, which cannot happen while this object owns it; a status of
  // "exit -1" is better than a process listed as running forever.
  reaped(r == pid_ ? status : 0xff00);
  return true;
}

void Child::reaped(int wait_status) {
  exit_ = Exit::from_wait_status(wait_status);
  pidfd_.reset();
}

void Child::signal_group(int signal) const {
  if (!running()) return;
  // The command leads its own group (spawn returns after its setsid), so kill(-pid) reaches it
  // and what it forked without leaving the group, each once: a second SIGINT would make many dev
  // servers quit without cleaning up.
  ::kill(-pid_, signal);
}

Result<Child> spawn(const SpawnSpec& spec, std::chrono::milliseconds start_limit) {
  // Everything the child needs is built before fork: it may not allocate.
  std::vector<char*> argv = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                             const_cast<char*>(spec.command.c_str()), nullptr};
  std::vector<char*> envp;
  envp.reserve(spec.env.size() + 1);
  for (const auto& entry : spec.env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Error::make(std::string("pipe: ") + std::strerror(errno));
  }
  UniqueFd error_read(error_pipe[0]), error_write(error_pipe[1]);
  // The child's end must block: a full pipe cannot happen for one small report, but a
  // non-blocking write could in principle fail where a blocking one would wait.
  ::fcntl(error_write.get(), F_SETFL, 0);

  const pid_t pid = ::fork();
  if (pid < 0) return Error::make(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) run_child(spec, argv.data(), envp.data(), error_write.get());

  error_write.reset();
  Child child(pid, UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))));
  auto report = wait_for_exec(error_read.get(), start_limit);
  if (!report) return report.take_error();  // `child` is killed and reaped on the way out
  if (*report) return Error::make(describe(**report, spec));
  return child;
}

}  // namespace benchtop::supervisor
