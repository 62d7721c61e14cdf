#include "server/sandbox/background_process.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "server/process/process_tree.h"

namespace benchtop {
Result<std::shared_ptr<BackgroundProcess>> BackgroundProcess::start(
    std::string id, std::string project_id, std::string command, Spawner spawn, size_t ring_bytes,
    bool exit_codes_carry_signals) {
  auto process =
      std::make_shared<BackgroundProcess>(std::move(id), std::move(project_id), std::move(command),
                                          ring_bytes, exit_codes_carry_signals);
  BackgroundProcess* self = process.get();
  self->reader_ = std::thread([self, spawn = std::move(spawn)] { self->run(spawn); });
  std::unique_lock lock(self->mutex_);
  self->exited_cv_.wait(lock, [self] { return self->launched_; });
  if (self->start_error_) {
    Error error = *self->start_error_;
    lock.unlock();
    return error;  // the destructor joins the finished thread
  }
  return process;
}

BackgroundProcess::BackgroundProcess(std::string id, std::string project_id, std::string command,
                                     size_t ring_bytes, bool exit_codes_carry_signals)
    : id_(std::move(id)),
      project_id_(std::move(project_id)),
      command_(std::move(command)),
      exit_codes_carry_signals_(exit_codes_carry_signals),
      stop_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      ring_(ring_bytes) {}

BackgroundProcess::~BackgroundProcess() {
  {
    std::lock_guard lock(mutex_);
    if (!exit_) process_.signal_group(SIGKILL);
  }
  const uint64_t one = 1;
  (void)!::write(stop_.get(), &one, sizeof one);
  if (reader_.joinable()) reader_.join();
}

void BackgroundProcess::run(const Spawner& spawn) {
  auto spawned = spawn();
  {
    std::lock_guard lock(mutex_);
    launched_ = true;
    if (!spawned) {
      start_error_ = spawned.take_error();
      exit_ = ExitStatus{};
    } else {
      process_ = std::move(spawned).value();
      stdin_ = std::move(process_.stdin_fd());
    }
  }
  exited_cv_.notify_all();
  if (!start_error_) read_loop();
}

void BackgroundProcess::read_loop() {
  char buffer[16 * 1024];
  bool output_open = true;
  for (;;) {
    pollfd fds[3] = {{stop_.get(), POLLIN, 0},
                     {process_.pidfd(), POLLIN, 0},
                     {process_.stdout_fd().get(), POLLIN, 0}};
    {
      std::lock_guard lock(mutex_);
      if (exit_) fds[1].fd = -1;
    }
    if (!output_open) fds[2].fd = -1;
    if (fds[1].fd < 0 && !output_open) break;
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) break;
    if (output_open && fds[2].revents) {
      const ssize_t n = ::read(process_.stdout_fd().get(), buffer, sizeof buffer);
      if (n > 0) {
        std::lock_guard lock(mutex_);
        ring_.append(std::string_view(buffer, static_cast<size_t>(n)));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        output_open = false;
      }
    }
    if (fds[1].fd >= 0 && fds[1].revents) {
      std::lock_guard lock(mutex_);
      if (auto status = process_.try_wait()) {
        exit_ = *status;
        if (exit_codes_carry_signals_ && exit_->exit_code && *exit_->exit_code > 128 &&
            *exit_->exit_code < 128 + 65) {
          exit_->signal = *exit_->exit_code - 128;
          exit_->exit_code.reset();
        }
        exited_cv_.notify_all();
      }
    }
  }
  std::lock_guard lock(mutex_);
  if (!exit_) {
    process_.signal_group(SIGKILL);
    exit_ = process_.wait();
    exited_cv_.notify_all();
  }
}

BackgroundProcessInfo BackgroundProcess::info() const {
  std::lock_guard lock(mutex_);
  BackgroundProcessInfo info;
  info.id = id_;
  info.project_id = project_id_;
  info.command = command_;
  info.pid = process_.pid();
  info.running = !exit_;
  if (exit_) {
    info.exit_code = exit_->exit_code;
    info.signal = exit_->signal;
  }
  info.output_bytes = ring_.total();
  info.started = started_;
  return info;
}

OutputRing::Slice BackgroundProcess::read(std::optional<uint64_t> since,
                                          std::optional<size_t> tail) const {
  std::lock_guard lock(mutex_);
  if (tail) return ring_.tail(*tail);
  return ring_.since(since.value_or(0));
}

Status BackgroundProcess::write(std::string_view input) {
  // Not under mutex_: the reader thread must keep draining output while we wait for the
  // process to take its input.
  std::lock_guard write_lock(write_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (exit_) return Error::make("process " + id_ + " has exited; start it again", "exited");
  }
  if (!stdin_) return Error::make("stdin of process " + id_ + " is closed");
  while (!input.empty()) {
    pollfd fd = {stdin_.get(), POLLOUT, 0};
    if (::poll(&fd, 1, 5000) <= 0 || (fd.revents & (POLLERR | POLLHUP))) {
      return Error::make("process " + id_ + " is not reading its stdin (pipe full or closed)");
    }
    const ssize_t n = write_to_child(stdin_.get(), input.data(), input.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Error::make("cannot write to process " + id_ + ": " + std::strerror(errno));
    }
    input.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status BackgroundProcess::signal(int signal) {
  std::lock_guard lock(mutex_);
  if (exit_) return {};
  if (signal == SIGKILL) {
    signal_tree(process_.pid(), SIGKILL, /*skip_bwrap=*/false);
    process_.signal_group(SIGKILL);
  } else {
    signal_tree(process_.pid(), signal, /*skip_bwrap=*/true);
  }
  return {};
}

bool BackgroundProcess::wait_exit(std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  return exited_cv_.wait_for(lock, limit, [this] { return exit_.has_value(); });
}

}  // namespace benchtop
