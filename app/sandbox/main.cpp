// benchtop-sandbox: the supervisor of one project's sandbox (see server/sandbox/supervisor/).
//
//   benchtop-sandbox --listen-fd N [--log-fd M] [--workspace DIR]
//
// benchtop starts it inside the sandbox's namespaces with N, a listening Unix socket it bound
// outside. It serves until SIGTERM or SIGINT, then kills every command it started and exits 0.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.h"
#include "server/sandbox/supervisor/supervisor.h"

namespace {

using benchtop::UniqueFd;
using benchtop::supervisor::Supervisor;
using benchtop::supervisor::SupervisorOptions;

constexpr int kUsageError = 2;

int usage(const char* problem) {
  std::fprintf(stderr,
               "benchtop-sandbox: %s\n"
               "usage: benchtop-sandbox --listen-fd N [--log-fd M] [--workspace DIR]\n",
               problem);
  return kUsageError;
}

std::optional<int> open_descriptor(std::string_view text) {
  int fd = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), fd);
  if (error != std::errc() || end != text.data() + text.size() || fd < 0) return std::nullopt;
  if (::fcntl(fd, F_GETFD) < 0) return std::nullopt;
  return fd;
}

// Commands get exactly the descriptors they are given. With 0, 1 or 2 closed, a socket or pipe
// the supervisor opens could take one of those numbers and be handed to a command as its stdio.
void occupy_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Code in the sandbox runs as the same user: without this it could ptrace the supervisor or
  // take its descriptors through /proc. Commands become dumpable again at their exec.
  ::prctl(PR_SET_DUMPABLE, 0);
  occupy_standard_descriptors();

  std::optional<int> listen_fd;
  SupervisorOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + std::string(flag)).c_str());
    const std::string_view value = argv[++i];
    if (flag == "--listen-fd") {
      listen_fd = open_descriptor(value);
      if (!listen_fd) return usage("--listen-fd needs an open descriptor");
    } else if (flag == "--log-fd") {
      const auto log_fd = open_descriptor(value);
      if (!log_fd) return usage("--log-fd needs an open descriptor");
      options.log_fd = *log_fd;
    } else if (flag == "--workspace") {
      if (value.empty()) return usage("--workspace needs a directory");
      options.workspace_root = std::string(value);
    } else {
      return usage(("unknown option " + std::string(flag)).c_str());
    }
  }
  if (!listen_fd) return usage("--listen-fd is required");

  // Inherited descriptors must not reach commands, and a log pipe benchtop stops reading must
  // cost lines, not the loop.
  ::fcntl(*listen_fd, F_SETFD, FD_CLOEXEC);
  if (options.log_fd >= 0) {
    ::fcntl(options.log_fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(options.log_fd, F_SETFL, ::fcntl(options.log_fd, F_GETFL) | O_NONBLOCK);
  }

  // The loop takes SIGTERM/SIGINT from a signalfd and SIGCHLD from another; SIGPIPE becomes
  // EPIPE. Commands get a clear mask and default dispositions back before their exec.
  sigset_t blocked;
  sigemptyset(&blocked);
  for (const int sig : {SIGCHLD, SIGTERM, SIGINT, SIGPIPE}) sigaddset(&blocked, sig);
  ::sigprocmask(SIG_BLOCK, &blocked, nullptr);
  sigset_t stopping;
  sigemptyset(&stopping);
  sigaddset(&stopping, SIGTERM);
  sigaddset(&stopping, SIGINT);
  UniqueFd stop(::signalfd(-1, &stopping, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!stop) {
    std::fprintf(stderr, "benchtop-sandbox: signalfd: %s\n", std::strerror(errno));
    return 1;
  }
  options.stop_fd = stop.get();
  options.reap_orphans = true;
  options.end_with_workspace = true;

  Supervisor supervisor(UniqueFd(*listen_fd), std::move(options));
  return supervisor.run();
}
