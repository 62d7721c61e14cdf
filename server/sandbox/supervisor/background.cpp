#include "server/sandbox/supervisor/background.h"

#include <errno.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>

#include "server/sandbox/supervisor/protocol.h"
#include "server/sandbox/supervisor/quiet_write.h"

namespace benchtop::supervisor {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Background::Background(uint64_t number, std::string command, std::string cgroup, Child child,
                       UniqueFd input, UniqueFd output, size_t ring_bytes)
    : number_(number),
      id_("proc-" + std::to_string(number)),
      command_(std::move(command)),
      cgroup_(std::move(cgroup)),
      started_ms_(now_ms()),
      child_(std::move(child)),
      input_(std::move(input)),
      output_(std::move(output)),
      ring_(ring_bytes) {}

nlohmann::json Background::to_json() const {
  nlohmann::json process = {{"id", id_},
                            {"command", command_},
                            {"pid", child_.pid()},
                            {"running", child_.running()},
                            {"output_bytes", ring_.total()},
                            {"started_ms", started_ms_},
                            {"cgroup", cgroup_}};
  if (const auto& exit = child_.exit()) {
    if (exit->code) process["exit_code"] = *exit->code;
    if (exit->signal) process["signal"] = *exit->signal;
  }
  return process;
}

void Background::read_output(size_t limit) {
  std::array<char, 64 * 1024> buffer;
  size_t taken = 0;
  while (output_ && taken < limit) {
    const ssize_t n = ::read(output_.get(), buffer.data(), buffer.size());
    if (n > 0) {
      ring_.append(std::string_view(buffer.data(), static_cast<size_t>(n)));
      taken += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    // End of file (the command and all that inherited its output have closed it), or an error
    // no later read would cure.
    output_.reset();
  }
}

int Background::input_fd_to_flush() const {
  return input_ && !queued_.empty() ? input_.get() : -1;
}

Result<size_t> Background::write_input(std::string_view bytes, bool close) {
  if (!running()) return Error::make("process " + id_ + " has exited");
  if (!input_ || close_after_queue_) {
    return Error::make("the standard input of " + id_ + " is closed");
  }
  // How much the pipe takes is known only by writing, and a refused write must leave nothing
  // half-written: the bound counts the whole payload, as if none of it fit the pipe.
  if (queued_.size() + bytes.size() > kMaxQueuedInput) {
    return Error::make("too much input is waiting for " + id_ +
                       " to read it: " + std::to_string(queued_.size()) +
                       " bytes are queued, at most " + std::to_string(kMaxQueuedInput) + " may be");
  }
  queued_.append(bytes);
  if (close) close_after_queue_ = true;
  if (auto flushed = flush_input(); !flushed) return flushed.take_error();
  return bytes.size();
}

Status Background::flush_input() {
  while (input_ && !queued_.empty()) {
    const ssize_t n = write_without_sigpipe(input_.get(), queued_.data(), queued_.size());
    if (n > 0) {
      queued_.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EAGAIN) return {};
    // The command closed its stdin (EPIPE): what is queued can never be read.
    const std::string reason = n < 0 ? std::strerror(errno) : "nothing was written";
    close_input();
    return Error::make("cannot write to the standard input of " + id_ + ": " + reason);
  }
  if (close_after_queue_) close_input();
  return {};
}

void Background::close_input() {
  input_.reset();
  queued_.clear();
  queued_.shrink_to_fit();
}

void Background::on_exit(uint64_t exit_sequence) {
  exit_sequence_ = exit_sequence;
  close_input();
  // A pipe holds at most 1 MiB unless root raised the limit; the bound only matters when a
  // descendant of the command still writes to it.
  read_output(4 * 1024 * 1024);
}

}  // namespace benchtop::supervisor
