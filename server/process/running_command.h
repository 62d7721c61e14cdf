// A command started somewhere (a local child, or a process in a project's sandbox that a
// supervisor started for us) as the exec loop drives it: its stdio pipes, a descriptor that
// becomes readable once its exit status can be collected, and a way to kill everything it
// started.
#pragma once

#include <optional>

#include "common/unique_fd.h"
#include "server/process/spawned_process.h"

namespace benchtop {

class RunningCommand {
 public:
  virtual ~RunningCommand() = default;

  virtual UniqueFd& stdin_fd() = 0;
  virtual UniqueFd& stdout_fd() = 0;
  virtual UniqueFd& stderr_fd() = 0;  // may be empty (stderr merged into stdout)

  // Readable once try_wait() can return the status.
  virtual int exit_fd() const = 0;
  virtual bool exited() const = 0;
  virtual std::optional<ExitStatus> try_wait() = 0;
  // Waits for the status; bounded by the implementation once kill_tree() was called.
  virtual ExitStatus wait() = 0;
  // SIGKILL to the command and everything it started, daemons that called setsid included.
  virtual void kill_tree() = 0;
};

// A child of this process (a SpawnedProcess) as a RunningCommand.
class LocalCommand : public RunningCommand {
 public:
  explicit LocalCommand(SpawnedProcess process) : process_(std::move(process)) {}

  UniqueFd& stdin_fd() override { return process_.stdin_fd(); }
  UniqueFd& stdout_fd() override { return process_.stdout_fd(); }
  UniqueFd& stderr_fd() override { return process_.stderr_fd(); }
  int exit_fd() const override { return process_.pidfd(); }
  bool exited() const override { return process_.exited(); }
  std::optional<ExitStatus> try_wait() override { return process_.try_wait(); }
  ExitStatus wait() override { return process_.wait(); }
  void kill_tree() override;

  SpawnedProcess& process() { return process_; }

 private:
  SpawnedProcess process_;
};

}  // namespace benchtop
