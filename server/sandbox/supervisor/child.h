// Starting a command for the supervisor, and owning it until it is reaped.
//
// The command runs as `<shell> -c command` in a session (and process group) of its own, so the
// supervisor can signal everything it forked without a new session by signalling the group.
// Failures before the command's first instruction (a cgroup.procs write, the working directory,
// exec) come back from spawn() as errors, not as a process that exits 127.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop::supervisor {

// How a reaped child ended: exactly one of the two is set.
struct Exit {
  std::optional<int> code;
  std::optional<int> signal;

  static Exit from_wait_status(int status);
};

struct SpawnSpec {
  std::string shell = "/bin/sh";
  std::string command;
  std::string directory;         // absolute
  std::vector<std::string> env;  // "NAME=value", exactly the command's environment
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;                 // may be the same descriptor as stdout_fd
  std::vector<int> cgroup_procs_fds;  // "0" is written to each before anything else runs
};

class Child {
 public:
  Child() = default;
  Child(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // A child still unreaped is killed with its group and reaped: none outlives its owner.
  ~Child();

  pid_t pid() const { return pid_; }
  // Readable once the child has exited; -1 after reaping, or on a kernel without pidfd_open
  // (before Linux 5.3), where only a wait for any child (SupervisorOptions::reap_orphans)
  // notices the exit.
  int pidfd() const { return pidfd_.get(); }
  const std::optional<Exit>& exit() const { return exit_; }
  bool running() const { return pid_ > 0 && !exit_; }

  // Reaps the child if it has exited; true when it has been reaped (now or before).
  bool try_reap();
  // Records an exit status found by a wait for any child.
  void reaped(int wait_status);
  // Signals the child's process group. Only while it is unreaped, so the pid cannot have been
  // reused.
  void signal_group(int signal) const;

 private:
  void release();

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  std::optional<Exit> exit_;
};

// Forks and execs; waits (at most `start_limit`) until the exec has happened or failed.
Result<Child> spawn(const SpawnSpec& spec,
                    std::chrono::milliseconds start_limit = std::chrono::seconds(5));

}  // namespace benchtop::supervisor
