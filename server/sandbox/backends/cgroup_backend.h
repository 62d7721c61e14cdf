// The part every local backend shares: one cgroup per project (limits, freeze, tree kill, usage).
// Subclasses only say how to build the command line of a process.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "server/process/spawned_process.h"
#include "server/sandbox/container_backend.h"
#include "server/sandbox/linux/cgroup.h"

namespace benchtop {

class CgroupBackend : public ContainerBackend {
 public:
  // `cgroup_parent`: the directory, in every hierarchy, under which project groups are made.
  CgroupBackend(CgroupHost host, std::string cgroup_parent);

  Status ensure(const ContainerSpec& spec) override;
  BackendStatus status(const ContainerSpec& spec) override;
  Result<SpawnedProcess> exec(const ContainerSpec& spec, const ProcessLaunch& launch) override;
  Status suspend(const ContainerSpec& spec) override;
  Status resume(const ContainerSpec& spec) override;
  Status destroy(const ContainerSpec& spec) override;
  Status kill_leftovers(const ContainerSpec& spec) override;

  const CgroupHost& host() const { return host_; }

 protected:
  struct Command {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd;                   // host directory to start in ("" = inherit)
    std::vector<UniqueFd> pass_fds;    // inherited by the process at the same numbers
    std::function<int()> before_exec;  // see SpawnOptions::before_exec
  };
  // How `command` is started (it must outlive the spawn: it owns the passed descriptors).
  static SpawnOptions spawn_options(Command& command, bool merge_stderr);
  virtual Result<Command> command_for(const ContainerSpec& spec, const ProcessLaunch& launch) = 0;
  // Isolation caveats to show in status.
  virtual std::vector<std::string> isolation_notes(const ContainerSpec& spec) const = 0;

 private:
  CgroupHost host_;
  std::string parent_;
  std::mutex mutex_;
  std::map<std::string, ProjectCgroup> groups_;  // by project id
};

// The environment every sandboxed command starts from, before the caller's additions.
std::map<std::string, std::string> base_environment(const std::string& home);
// Checks a workspace-relative cwd lexically: no absolute path, no "..".
Result<std::string> normal_relative_cwd(const std::string& cwd);

}  // namespace benchtop
