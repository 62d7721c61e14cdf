// A command started with `start`: the supervisor owns its stdin pipe (with a bounded queue of
// what the pipe could not take yet) and the read end of its merged stdout+stderr, which it
// drains into a ring whenever the loop finds output waiting.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/sandbox/supervisor/child.h"
#include "server/sandbox/supervisor/output_ring.h"

namespace benchtop::supervisor {

class Background {
 public:
  Background(uint64_t number, std::string command, std::string cgroup, Child child, UniqueFd input,
             UniqueFd output, size_t ring_bytes);

  const std::string& id() const { return id_; }
  uint64_t number() const { return number_; }
  Child& child() { return child_; }
  const Child& child() const { return child_; }
  bool running() const { return child_.running(); }
  const OutputRing& ring() const { return ring_; }

  // The Process object of protocol.h.
  nlohmann::json to_json() const;

  // Output: the pipe to poll for reading (-1 once it reached end of file), and reading it.
  int output_fd() const { return output_.get(); }
  // Reads what is waiting, at most `limit` bytes, without blocking. The default bound keeps one
  // chatty process from starving the others of the loop.
  void read_output(size_t limit = 1024 * 1024);

  // Input: the pipe to poll for writing (-1 when nothing is queued or stdin is closed).
  int input_fd_to_flush() const;
  // Writes `bytes` to stdin, queueing what the pipe cannot take now; `close` closes stdin once
  // everything before it has been written. Refused whole (nothing written) when `bytes` and what
  // is already queued exceed kMaxQueuedInput. Returns the number of bytes accepted.
  Result<size_t> write_input(std::string_view bytes, bool close);
  // Writes what is queued, as far as the pipe takes it now; an error when the command has
  // closed its stdin (the queue is dropped then).
  Status flush_input();

  // The child has been reaped: stdin goes, and what it wrote before exiting is read now, so a
  // caller that sees "running": false also sees all its output.
  void on_exit(uint64_t exit_sequence);
  uint64_t exit_sequence() const { return exit_sequence_; }

 private:
  void close_input();

  const uint64_t number_;
  const std::string id_;
  const std::string command_;
  const std::string cgroup_;
  const int64_t started_ms_;
  Child child_;
  UniqueFd input_;
  std::string queued_;  // bytes for stdin the pipe has not taken yet
  bool close_after_queue_ = false;
  UniqueFd output_;
  OutputRing ring_;
  uint64_t exit_sequence_ = 0;  // order of exits, to keep the most recent ones
};

}  // namespace benchtop::supervisor
