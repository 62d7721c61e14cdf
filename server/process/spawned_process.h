// A child process started with fork/exec for a sandbox: its own session (so signals reach its
// whole group), pipes for stdin/stdout/stderr, a cleared signal mask, and membership of a
// project's cgroups from before its first instruction. Owned by RAII: the destructor kills the
// process group and reaps the child, so no zombie outlives its owner.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  std::vector<std::string> env;   // "NAME=value"; the child sees exactly these
  std::string cwd;                // "" keeps the current directory
  // cgroup.procs (or v1 `tasks`) files the child writes "0" to, joining those groups.
  std::vector<int> cgroup_procs_fds;
  // spawn_detached only: a cgroup v2 directory the process is created in with
  // clone3(CLONE_INTO_CGROUP), and that directory's cgroup.procs, written instead when the kernel
  // refuses the clone (an older kernel, a group it will not start a process in).
  int cgroup_dir_fd = -1;
  int cgroup_dir_procs_fd = -1;
  bool merge_stderr = false;  // stderr into the stdout pipe (background processes)
  std::vector<int> keep_fds;  // passed through at the same number (e.g. bwrap --args)
  // Runs in the child last before exec (after the cgroup join, which may need privileges it
  // drops): async-signal-safe code only. Returns 0, or an errno that fails the spawn.
  std::function<int()> before_exec;
};

struct ExitStatus {
  std::optional<int> exit_code;
  std::optional<int> signal;
};

// write(2) to a child's stdin that cannot raise SIGPIPE in this process, whatever the process's
// signal disposition: a child that exits without reading its input yields EPIPE, not a dead server.
ssize_t write_to_child(int fd, const void* data, size_t size);

// Starts a process that is not a child of this one (a sandbox's supervisor, which outlives the
// server that started it): the same setup as SpawnedProcess::spawn, with stdin and stdout on
// /dev/null and stderr on `stderr_fd` (or /dev/null). Returns once it has exec'd (or failed to),
// with its pid.
Result<pid_t> spawn_detached(const SpawnOptions& options, int stderr_fd = -1);

class SpawnedProcess {
 public:
  static Result<SpawnedProcess> spawn(const SpawnOptions& options);

  SpawnedProcess() = default;
  SpawnedProcess(SpawnedProcess&& other) noexcept;
  SpawnedProcess& operator=(SpawnedProcess&& other) noexcept;
  SpawnedProcess(const SpawnedProcess&) = delete;
  SpawnedProcess& operator=(const SpawnedProcess&) = delete;
  ~SpawnedProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }  // readable once the child has exited
  UniqueFd& stdin_fd() { return stdin_; }
  UniqueFd& stdout_fd() { return stdout_; }
  UniqueFd& stderr_fd() { return stderr_; }

  // Signals the child's process group (the child is its session leader).
  void signal_group(int signal) const;
  // Reaps the child if it has exited; std::nullopt while it runs.
  std::optional<ExitStatus> try_wait();
  // Blocks until the child exits.
  ExitStatus wait();
  bool exited() const { return status_.has_value(); }

 private:
  void release();

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd stdin_, stdout_, stderr_;
  std::optional<ExitStatus> status_;
};

}  // namespace benchtop
