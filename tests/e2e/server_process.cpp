#include "e2e/server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace benchtop::e2e {
namespace {

// poll() on one fd until it is readable or `timeout` passes, retrying on EINTR with the time
// that is left.
bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd entry{fd, POLLIN, 0};
    const int n = ::poll(&entry, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& args)
    : stderr_path_(stderr_dir_.path() / "stderr.log") {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return;
  }
  UniqueFd child_in(in[0]);
  stdin_.reset(in[1]);
  stdout_.reset(out[0]);
  UniqueFd child_out(out[1]);
  UniqueFd child_err(::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!child_err) {
    ADD_FAILURE() << "cannot create " << stderr_path_;
    return;
  }

  std::vector<std::string> argv_storage = {BENCHTOP_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // dup2 onto 0/1/2 clears close-on-exec there; every other fd of ours stays closed in the child.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_out.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_err.get(), STDERR_FILENO);
  const int rc = ::posix_spawn(&pid_, BENCHTOP_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot start " << BENCHTOP_BINARY << ": " << std::strerror(rc);
    return;
  }
  // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks the extern "C" block C++ needs.
  pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  if (!pidfd_) ADD_FAILURE() << "pidfd_open failed: " << std::strerror(errno);
}

ServerProcess::~ServerProcess() {
  if (pid_ <= 0) return;
  close_stdin();  // the graceful shutdown signal of the stdio transport
  if (wait_for_exit(5s)) return;
  ::kill(pid_, SIGTERM);
  if (wait_for_exit(5s)) return;
  ::kill(pid_, SIGKILL);
  wait_for_exit(60s);
}

std::optional<int> ServerProcess::terminate(std::chrono::milliseconds timeout) {
  if (running()) ::kill(pid_, SIGTERM);
  return wait_for_exit(timeout);
}

bool ServerProcess::write(std::string_view bytes) {
  // The child may exit while we write; that must fail the write, not kill the test with SIGPIPE.
  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  bool ok = static_cast<bool>(stdin_);
  while (ok && !bytes.empty()) {
    const ssize_t n = ::write(stdin_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    if (n > 0) bytes.remove_prefix(static_cast<size_t>(n));
  }
  ::sigaction(SIGPIPE, &previous, nullptr);
  return ok;
}

std::optional<std::string> ServerProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const size_t newline = stdout_buffer_.find('\n'); newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    if (!stdout_) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(stdout_.get(), left)) return std::nullopt;
    char chunk[65536];
    const ssize_t n = ::read(stdout_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      stdout_.reset();
      if (stdout_buffer_.empty()) return std::nullopt;
      std::string rest;
      rest.swap(stdout_buffer_);
      return rest;
    }
    stdout_buffer_.append(chunk, static_cast<size_t>(n));
  }
}

std::optional<int> ServerProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  if (pid_ <= 0) return std::nullopt;
  // The pidfd becomes readable when the child exits.
  if (pidfd_ && !wait_readable(pidfd_.get(), timeout)) return std::nullopt;
  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(pid_, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped != pid_) return std::nullopt;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_status_;
}

std::string ServerProcess::stderr_text() const {
  std::ifstream file(stderr_path_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace benchtop::e2e
