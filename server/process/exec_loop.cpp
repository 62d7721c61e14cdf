#include "server/process/exec_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <memory>

#include "server/process/output_buffers.h"
#include "server/process/process_tree.h"

namespace benchtop {
namespace {

// After the main process has exited, how long a descendant that kept the pipes open may keep
// them: output written in that window is still captured, then we stop listening.
constexpr std::chrono::milliseconds kDrainGrace{2000};

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

void LocalCommand::kill_tree() {
  // Every process of the tree by pid (a sandbox's init among them, which takes its whole pid
  // namespace along), then the group: neither depends on bubblewrap's --die-with-parent.
  signal_tree(process_.pid(), SIGKILL, /*skip_bwrap=*/false);
  process_.signal_group(SIGKILL);
}

ExecResult run_to_completion(RunningCommand& process, const ExecRequest& request,
                             const CancellationToken& cancellation, const OutputSink& on_output,
                             bool exit_codes_carry_signals) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  ExecResult result;
  HeadTailCapture out(request.output_limit), err(request.output_limit);

  // The cancel callback may run after this function returned (the token outlives us), so it
  // owns its eventfd through a shared_ptr.
  auto wake = std::make_shared<UniqueFd>(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  cancellation.on_cancel([wake] {
    const uint64_t one = 1;
    if (*wake) (void)!::write(wake->get(), &one, sizeof one);
  });

  std::string_view pending_stdin = request.stdin_data;
  if (pending_stdin.empty()) {
    process.stdin_fd().reset();
  } else {
    set_nonblocking(process.stdin_fd().get());
  }
  set_nonblocking(process.stdout_fd().get());
  if (process.stderr_fd()) set_nonblocking(process.stderr_fd().get());

  const auto deadline = started + request.timeout;
  std::optional<Clock::time_point> drain_until;
  bool killed = false;
  auto kill_tree = [&] {
    if (killed) return;
    killed = true;
    process.kill_tree();
  };

  char buffer[64 * 1024];
  auto read_stream = [&](UniqueFd& fd, HeadTailCapture& capture, std::string_view name) {
    for (;;) {
      const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n > 0) {
        capture.append(std::string_view(buffer, static_cast<size_t>(n)));
        if (on_output) on_output(name, std::string_view(buffer, static_cast<size_t>(n)));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) fd.reset();
      return;
    }
  };

  while (process.stdout_fd() || process.stderr_fd() || !process.exited()) {
    const auto now = Clock::now();
    if (!killed && now >= deadline) {
      result.timed_out = true;
      kill_tree();
    }
    if (!killed && cancellation.cancelled()) {
      result.cancelled = true;
      kill_tree();
    }
    if (process.exited() && !drain_until) drain_until = now + kDrainGrace;
    if (drain_until && now >= *drain_until) break;

    pollfd fds[5];
    nfds_t count = 0;
    int out_index = -1, err_index = -1, in_index = -1, pid_index = -1;
    if (process.stdout_fd()) {
      out_index = static_cast<int>(count);
      fds[count++] = {process.stdout_fd().get(), POLLIN, 0};
    }
    if (process.stderr_fd()) {
      err_index = static_cast<int>(count);
      fds[count++] = {process.stderr_fd().get(), POLLIN, 0};
    }
    if (process.stdin_fd()) {
      in_index = static_cast<int>(count);
      fds[count++] = {process.stdin_fd().get(), POLLOUT, 0};
    }
    if (!process.exited()) {
      pid_index = static_cast<int>(count);
      fds[count++] = {process.exit_fd(), POLLIN, 0};
    }
    if (!killed) fds[count++] = {wake->get(), POLLIN, 0};
    auto until = killed ? Clock::now() + std::chrono::seconds(1) : deadline;
    if (drain_until && *drain_until < until) until = *drain_until;
    const auto wait_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    const int ready =
        ::poll(fds, count, static_cast<int>(std::max<int64_t>(0, wait_ms.count() + 1)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (out_index >= 0 && fds[out_index].revents) read_stream(process.stdout_fd(), out, "stdout");
    if (err_index >= 0 && fds[err_index].revents) read_stream(process.stderr_fd(), err, "stderr");
    if (in_index >= 0 && fds[in_index].revents) {
      if (fds[in_index].revents & (POLLERR | POLLHUP)) {
        process.stdin_fd().reset();
      } else {
        const ssize_t n =
            write_to_child(process.stdin_fd().get(), pending_stdin.data(), pending_stdin.size());
        if (n > 0) pending_stdin.remove_prefix(static_cast<size_t>(n));
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || pending_stdin.empty()) {
          process.stdin_fd().reset();
        }
      }
    }
    if (pid_index >= 0 && fds[pid_index].revents) (void)process.try_wait();
  }
  // Whatever still holds the pipes after the grace period is cut off and killed.
  if (process.stdout_fd() || process.stderr_fd()) kill_tree();
  process.stdout_fd().reset();
  process.stderr_fd().reset();
  process.stdin_fd().reset();
  const ExitStatus status = process.wait();
  result.exit_code = status.exit_code;
  result.signal = status.signal;
  if (exit_codes_carry_signals && status.exit_code && *status.exit_code > 128 &&
      *status.exit_code < 128 + 65) {
    result.signal = *status.exit_code - 128;
    result.exit_code.reset();
  }
  if ((result.timed_out || result.cancelled) && !result.signal) {
    result.signal = SIGKILL;
    result.exit_code.reset();
  }
  result.stdout_text = out.text();
  result.stderr_text = err.text();
  result.stdout_elided_bytes = out.elided();
  result.stderr_elided_bytes = err.elided();
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return result;
}

}  // namespace benchtop
