#include "server/process/spawned_process.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace benchtop {
namespace {

ExitStatus decode(int status) {
  ExitStatus result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

// Only async-signal-safe calls between fork and exec: the parent is multithreaded.
[[noreturn]] void fail_in_child(int error_fd) {
  const int err = errno;
  (void)!::write(error_fd, &err, sizeof err);
  ::_exit(127);
}

// The child's side of a spawn, from fork to exec: cgroups, session, signals, stdio, descriptors,
// the caller's hook, cwd. Async-signal-safe only. `born_in_group`: created in
// options.cgroup_dir_fd already.
[[noreturn]] void exec_child(const SpawnOptions& options, char** argv, char** envp, int in, int out,
                             int err, int error_fd, bool born_in_group = false) {
  // "0" is the writer itself: the one thread of this fresh child.
  if (!born_in_group && options.cgroup_dir_procs_fd >= 0) {
    (void)!::write(options.cgroup_dir_procs_fd, "0", 1);
  }
  for (int fd : options.cgroup_procs_fds) (void)!::write(fd, "0", 1);
  ::setsid();
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) fail_in_child(error_fd);
  // Nothing the server inherited or opened without O_CLOEXEC reaches the sandbox: only 0-2 and
  // the descriptors passed on purpose.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  for (int fd : options.keep_fds) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  if (options.before_exec) {
    if (const int failed = options.before_exec(); failed != 0) {
      errno = failed;
      fail_in_child(error_fd);
    }
  }
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) fail_in_child(error_fd);
  ::execve(argv[0], argv, envp);
  fail_in_child(error_fd);
}

// fork(), or with a cgroup directory a clone3(CLONE_INTO_CGROUP) that creates the child inside
// that group (`born_in_group` says which happened): no migration afterwards, and so no wait for
// the RCU grace period a cgroup.procs write can take. Async-signal-safe.
pid_t fork_into(int cgroup_dir_fd, bool& born_in_group) {
  born_in_group = false;
  if (cgroup_dir_fd >= 0) {
    clone_args args{};
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(cgroup_dir_fd);
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0) {
      born_in_group = true;
      return static_cast<pid_t>(pid);
    }
  }
  return ::fork();
}

// A null-terminated array of the strings' C views, for execve (built before fork: the child may
// not allocate).
std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const auto& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// The errno a child reported before exec, or 0 once exec closed the pipe.
int read_child_errno(int error_read) {
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_read, &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof child_errno)) return child_errno;
  return 0;
}

}  // namespace

ssize_t write_to_child(int fd, const void* data, size_t size) {
  sigset_t pipe_only, previous;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  const ssize_t n = ::write(fd, data, size);
  const int err = errno;
  if (n < 0 && err == EPIPE) {
    // Consume the SIGPIPE this write left pending, so unblocking cannot deliver it.
    const timespec zero{0, 0};
    ::sigtimedwait(&pipe_only, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = err;
  return n;
}

Result<SpawnedProcess> SpawnedProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return Error::make("nothing to run");
  int in_pipe[2], out_pipe[2], err_pipe[2], error_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Error::make("pipe: " + std::string(strerror(errno)));
  UniqueFd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return Error::make("pipe: " + std::string(strerror(errno)));
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    return Error::make("pipe: " + std::string(strerror(errno)));
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);
  if (::pipe2(error_pipe, O_CLOEXEC) != 0)
    return Error::make("pipe: " + std::string(strerror(errno)));
  UniqueFd error_read(error_pipe[0]), error_write(error_pipe[1]);

  std::vector<char*> argv = c_strings(options.argv);
  std::vector<char*> envp = c_strings(options.env);

  const pid_t pid = ::fork();
  if (pid < 0) return Error::make("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    exec_child(options, argv.data(), envp.data(), in_read.get(), out_write.get(),
               options.merge_stderr ? out_write.get() : err_write.get(), error_write.get());
  }

  SpawnedProcess process;
  process.pid_ = pid;
  error_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  process.pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    process.wait();
    return Error::make("cannot start " + options.argv[0] + ": " + strerror(child_errno));
  }
  process.stdin_ = std::move(in_write);
  process.stdout_ = std::move(out_read);
  if (!options.merge_stderr) process.stderr_ = std::move(err_read);
  return process;
}

SpawnedProcess::SpawnedProcess(SpawnedProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)),
      status_(other.status_) {}

SpawnedProcess& SpawnedProcess::operator=(SpawnedProcess&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
    status_ = other.status_;
  }
  return *this;
}

SpawnedProcess::~SpawnedProcess() {
  release();
}

void SpawnedProcess::release() {
  if (pid_ > 0 && !status_) {
    signal_group(SIGKILL);
    wait();
  }
  pid_ = -1;
}

void SpawnedProcess::signal_group(int signal) const {
  if (pid_ <= 0 || status_) return;
  // The pidfd names exactly our child even if its pid were reused; the group kill covers the
  // children it forked without a new session.
  if (pidfd_) ::syscall(SYS_pidfd_send_signal, pidfd_.get(), signal, nullptr, 0);
  ::kill(-pid_, signal);
}

std::optional<ExitStatus> SpawnedProcess::try_wait() {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) status_ = decode(status);
  return status_;
}

ExitStatus SpawnedProcess::wait() {
  if (status_) return *status_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  status_ = r == pid_ ? decode(status) : ExitStatus{};
  return *status_;
}

Result<pid_t> spawn_detached(const SpawnOptions& options, int stderr_fd) {
  if (options.argv.empty()) return Error::make("nothing to run");
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null) return Error::make("open /dev/null: " + std::string(strerror(errno)));
  int error_pipe[2], pid_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0 || ::pipe2(pid_pipe, O_CLOEXEC) != 0) {
    return Error::make("pipe: " + std::string(strerror(errno)));
  }
  UniqueFd error_read(error_pipe[0]), error_write(error_pipe[1]);
  UniqueFd pid_read(pid_pipe[0]), pid_write(pid_pipe[1]);
  std::vector<char*> argv = c_strings(options.argv);
  std::vector<char*> envp = c_strings(options.env);

  // Fork twice: the intermediate child exits at once, so the process that runs is reparented to
  // init (or the nearest subreaper) and outlives this one, which reaps only the intermediate.
  const pid_t intermediate = ::fork();
  if (intermediate < 0) return Error::make("fork: " + std::string(strerror(errno)));
  if (intermediate == 0) {
    bool born_in_group = false;
    const pid_t pid = fork_into(options.cgroup_dir_fd, born_in_group);
    if (pid < 0) fail_in_child(error_write.get());
    if (pid > 0) {
      (void)!::write(pid_write.get(), &pid, sizeof pid);
      ::_exit(0);
    }
    exec_child(options, argv.data(), envp.data(), null.get(), null.get(),
               stderr_fd >= 0 ? stderr_fd : null.get(), error_write.get(), born_in_group);
  }
  error_write.reset();
  pid_write.reset();
  int status = 0;
  while (::waitpid(intermediate, &status, 0) < 0 && errno == EINTR) {
  }
  pid_t pid = -1;
  ssize_t n;
  do {
    n = ::read(pid_read.get(), &pid, sizeof pid);
  } while (n < 0 && errno == EINTR);
  if (const int child_errno = read_child_errno(error_read.get()); child_errno != 0) {
    return Error::make("cannot start " + options.argv[0] + ": " + strerror(child_errno));
  }
  if (n != static_cast<ssize_t>(sizeof pid)) return Error::make("fork failed");
  return pid;
}

}  // namespace benchtop
