#include "server/sandbox/supervisor/process_table.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "server/sandbox/supervisor/protocol.h"
#include "server/sandbox/supervisor/request_fields.h"

namespace benchtop::supervisor {
namespace {

using Json = nlohmann::json;

std::string errno_text(const char* call) {
  return std::string(call) + ": " + std::strerror(errno);
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

Answer ProcessTable::start(SpawnSpec spec, const Frame& request) {
  auto cgroup = required_string(request.body, "cgroup");
  if (!cgroup) return refusal(cgroup.error().message);
  int input[2], output[2];
  if (::pipe2(input, O_CLOEXEC) != 0) return refusal(errno_text("pipe"));
  UniqueFd input_read(input[0]), input_write(input[1]);
  if (::pipe2(output, O_CLOEXEC) != 0) return refusal(errno_text("pipe"));
  UniqueFd output_read(output[0]), output_write(output[1]);
  spec.stdin_fd = input_read.get();
  spec.stdout_fd = output_write.get();
  spec.stderr_fd = output_write.get();
  for (const auto& fd : request.fds) spec.cgroup_procs_fds.push_back(fd.get());
  auto child = spawn(spec);
  if (!child) return refusal(child.error().message);
  // The supervisor's ends never block the loop; the command's ends stay blocking (each end is an
  // open file of its own), as commands expect.
  set_nonblocking(input_write.get());
  set_nonblocking(output_read.get());
  const uint64_t number = next_number_++;
  auto process = std::make_unique<Background>(number, std::move(spec.command), std::move(*cgroup),
                                              std::move(*child), std::move(input_write),
                                              std::move(output_read), ring_bytes_);
  Json description = process->to_json();
  processes_.emplace(number, std::move(process));
  return success({{"process", std::move(description)}});
}

Answer ProcessTable::list() const {
  Json listed = Json::array();
  for (const auto& [number, process] : processes_) listed.push_back(process->to_json());
  return success({{"processes", std::move(listed)}});
}

Answer ProcessTable::read(const Json& body) {
  auto found = find(body);
  if (!found) return refusal(found.error().message);
  constexpr int64_t kLargest = std::numeric_limits<int64_t>::max();
  auto since = optional_integer(body, "since", 0, kLargest);
  if (!since) return refusal(since.error().message);
  auto tail = optional_integer(body, "tail", 0, kLargest);
  if (!tail) return refusal(tail.error().message);
  auto max = required_integer(body, "max", 0, kLargest);
  if (!max) return refusal(max.error().message);
  if (*since && *tail) return refusal("`since` and `tail` cannot be used together");
  Background& process = **found;
  // What the process wrote just before the request may still be in its pipe.
  process.read_output();
  const size_t limit = static_cast<size_t>(std::min<int64_t>(*max, kMaxPayloadBytes));
  // Neither `since` nor `tail`: everything held, read as "since the very first byte", so
  // `dropped` tells how much of the beginning the ring no longer has.
  const OutputRing::Slice slice = *tail ? process.ring().tail(static_cast<uint64_t>(**tail), limit)
                                        : process.ring().since(since->value_or(0), limit);
  Answer answer = success({{"process", process.to_json()},
                           {"start", slice.start},
                           {"next", slice.next},
                           {"dropped", slice.dropped}});
  answer.payload = slice.data;
  return answer;
}

Answer ProcessTable::write(const Frame& request) {
  auto found = find(request.body);
  if (!found) return refusal(found.error().message);
  auto close = optional_bool(request.body, "close", false);
  if (!close) return refusal(close.error().message);
  auto written = (*found)->write_input(request.payload, *close);
  if (!written) return refusal(written.error().message);
  return success({{"written", *written}});
}

Answer ProcessTable::signal(const Json& body) {
  auto found = find(body);
  if (!found) return refusal(found.error().message);
  auto number = required_integer(body, "signal", 1, 64);
  if (!number) return refusal(number.error().message);
  Background& process = **found;
  // Once reaped, its pid (and so its group's id) may belong to another process.
  if (!process.running()) return refusal("process " + process.id() + " has exited");
  if (::kill(-process.child().pid(), static_cast<int>(*number)) != 0) {
    return refusal("cannot signal " + process.id() + ": " + std::strerror(errno));
  }
  return success({{"process", process.to_json()}});
}

Answer ProcessTable::forget(const Json& body) {
  auto found = find(body);
  if (!found) return refusal(found.error().message);
  if ((*found)->running()) return refusal("process " + (*found)->id() + " is still running");
  processes_.erase((*found)->number());
  return success();
}

Background* ProcessTable::find(uint64_t number) {
  const auto found = processes_.find(number);
  return found == processes_.end() ? nullptr : found->second.get();
}

Result<Background*> ProcessTable::find(const Json& body) {
  auto id = required_string(body, "id");
  if (!id) return id.take_error();
  for (auto& [number, process] : processes_) {
    if (process->id() == *id) return process.get();
  }
  return Error::make("no process " + *id, "not_found");
}

void ProcessTable::exited(Background& process) {
  process.on_exit(++exits_);
  auto exited = static_cast<size_t>(
      std::count_if(processes_.begin(), processes_.end(),
                    [](const auto& entry) { return !entry.second->running(); }));
  for (; exited > kKeptExited; --exited) {
    auto oldest = processes_.end();
    for (auto it = processes_.begin(); it != processes_.end(); ++it) {
      if (it->second->running()) continue;
      if (oldest == processes_.end() ||
          it->second->exit_sequence() < oldest->second->exit_sequence()) {
        oldest = it;
      }
    }
    processes_.erase(oldest);
  }
}

bool ProcessTable::reaped(pid_t pid, int wait_status) {
  for (auto& [number, process] : processes_) {
    if (process->child().pid() == pid && process->running()) {
      process->child().reaped(wait_status);
      exited(*process);
      return true;
    }
  }
  return false;
}

void ProcessTable::kill_all() const {
  for (const auto& [number, process] : processes_) process->child().signal_group(SIGKILL);
}

}  // namespace benchtop::supervisor
