// A child process with pipes on its stdin and stdout, owned like a file descriptor: the owner's
// destructor always ends and reaps it. Shutdown follows the usual MCP stdio order: close stdin and
// give the server a moment to exit by itself, then SIGTERM, then SIGKILL.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop::bench {

struct ChildExit {
  int wait_status = 0;   // as returned by wait4
  long max_rss_kib = 0;  // ru_maxrss of the child (Linux reports KiB)
  std::string how;       // "exited on EOF", "after SIGTERM", "after SIGKILL"
};

class ChildProcess {
 public:
  // Starts argv[0] (looked up in PATH) with a pipe on stdin and stdout. stderr goes to
  // `stderr_path` (appended), or /dev/null when it is empty.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv,
                                    const std::string& stderr_path = {});

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return stdin_.get(); }
  int stdout_fd() const { return stdout_.get(); }

  // Peak resident set so far, from /proc/<pid>/status VmHWM (KiB); nullopt once it has exited.
  std::optional<long> peak_rss_kib() const;

  // Ends the child (close stdin, wait `grace`; SIGTERM, wait `grace`; SIGKILL) and reaps it.
  // Idempotent: later calls return the first result.
  ChildExit shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

 private:
  ChildProcess() = default;
  bool wait_for_exit(std::chrono::milliseconds timeout);
  void reap(const char* how);

  pid_t pid_ = -1;
  UniqueFd pidfd_;  // readable once the child has exited: a wait with a timeout and no polling loop
  UniqueFd stdin_;
  UniqueFd stdout_;
  std::optional<ChildExit> exit_;
};

}  // namespace benchtop::bench
