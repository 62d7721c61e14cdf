// How tools run a command for a project: inside that project's dev container, with limits. The
// container manager implements it; tools that need a process (shell_exec, test_run, the agent
// loop) depend only on this interface, so every process goes through the same sandbox.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/cancellation.h"
#include "common/result.h"

namespace benchtop {

struct ExecRequest {
  std::string command;  // run as `/bin/sh -c command`
  std::string cwd;      // relative to the workspace root ("" = the root)
  std::map<std::string, std::string> env;
  std::string stdin_data;
  std::chrono::milliseconds timeout{120'000};
  // Bytes kept per stream; beyond it the head and tail are kept and the middle elided.
  size_t output_limit = 64 * 1024;
};

struct ExecResult {
  std::optional<int> exit_code;  // absent when the process was killed by a signal
  std::optional<int> signal;
  std::string stdout_text;
  std::string stderr_text;
  size_t stdout_elided_bytes = 0;
  size_t stderr_elided_bytes = 0;
  bool timed_out = false;
  bool cancelled = false;
  std::chrono::milliseconds duration{0};
};

// Output as it arrives: which stream, and the bytes. Called from the runner's reading thread.
using OutputSink = std::function<void(std::string_view stream, std::string_view bytes)>;

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;

  // Runs `request` in the container of `project` (an id or name; std::nullopt = default project),
  // creating or resuming the container as needed. The timeout and `cancellation` kill the whole
  // process tree. An error means the command could not be started (no such project, sandbox
  // unavailable, exec disabled); a command that ran and failed is a successful ExecResult.
  virtual Result<ExecResult> run(const std::optional<std::string>& project,
                                 const ExecRequest& request, const CancellationToken& cancellation,
                                 const OutputSink& on_output = {}) = 0;
};

}  // namespace benchtop
