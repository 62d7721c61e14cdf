#include "bench/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

extern char** environ;

namespace benchtop::bench {
namespace {

// Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C", so its wrapper cannot be linked
// from C++.
int open_pidfd(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// posix_spawn's file actions and attributes, released on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv,
                                         const std::string& stderr_path) {
  if (argv.empty()) return Error::make("empty command");
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return Error::make(errno_text("pipe2"));
  UniqueFd child_stdin(in_pipe[0]);
  UniqueFd parent_stdin(in_pipe[1]);
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Error::make(errno_text("pipe2"));
  UniqueFd parent_stdout(out_pipe[0]);
  UniqueFd child_stdout(out_pipe[1]);

  SpawnSetup setup;
  // dup2 onto 0 and 1 clears O_CLOEXEC on the copies; every other fd of ours stays closed in the
  // child because all of them are opened with O_CLOEXEC.
  posix_spawn_file_actions_adddup2(&setup.actions, child_stdin.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, child_stdout.get(), STDOUT_FILENO);
  const std::string err_target = stderr_path.empty() ? "/dev/null" : stderr_path;
  posix_spawn_file_actions_addopen(&setup.actions, STDERR_FILENO, err_target.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  // Its own process group, so a terminal's Ctrl-C reaches the harness, which then ends the child
  // in order, rather than both at once.
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&setup.attributes, 0);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  const int rc =
      posix_spawnp(&pid, args[0], &setup.actions, &setup.attributes, args.data(), environ);
  if (rc != 0) return Error::make("cannot start " + argv[0] + ": " + std::strerror(rc));

  ChildProcess child;
  child.pid_ = pid;
  child.pidfd_ = UniqueFd(open_pidfd(pid));
  child.stdin_ = std::move(parent_stdin);
  child.stdout_ = std::move(parent_stdout);
  if (!child.pidfd_) {
    const std::string message = errno_text("pidfd_open");
    child.shutdown(std::chrono::milliseconds(0));
    return Error::make(message);
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      exit_(std::move(other.exit_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_) shutdown();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    exit_ = std::move(other.exit_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_) shutdown();
}

std::optional<long> ChildProcess::peak_rss_kib() const {
  if (pid_ <= 0 || exit_) return std::nullopt;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return std::nullopt;
}

bool ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  // Without a pidfd only an unbounded wait is possible, which reap()'s blocking wait4 provides.
  if (!pidfd_) return timeout.count() < 0;
  pollfd entry{pidfd_.get(), POLLIN, 0};
  for (;;) {
    const int ready = poll(&entry, 1, static_cast<int>(timeout.count()));
    if (ready >= 0) return ready > 0;
    if (errno != EINTR) return false;
  }
}

void ChildProcess::reap(const char* how) {
  ChildExit result;
  rusage usage{};
  pid_t waited;
  do {
    waited = wait4(pid_, &result.wait_status, 0, &usage);
  } while (waited < 0 && errno == EINTR);
  result.max_rss_kib = usage.ru_maxrss;
  result.how = how;
  exit_ = std::move(result);
}

ChildExit ChildProcess::shutdown(std::chrono::milliseconds grace) {
  if (exit_) return *exit_;
  if (pid_ <= 0) return ChildExit{};
  stdin_.reset();
  if (wait_for_exit(grace)) {
    reap("exited on EOF");
  } else {
    kill(pid_, SIGTERM);
    if (wait_for_exit(grace)) {
      reap("after SIGTERM");
    } else {
      kill(pid_, SIGKILL);
      wait_for_exit(std::chrono::milliseconds(-1));
      reap("after SIGKILL");
    }
  }
  stdout_.reset();
  pidfd_.reset();
  return *exit_;
}

}  // namespace benchtop::bench
