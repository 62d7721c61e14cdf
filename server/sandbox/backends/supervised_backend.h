// The part every local backend shares: one long-lived sandbox per project, run by a supervisor
// (benchtop-sandbox, server/sandbox/supervisor/) that starts every command of the project inside
// the sandbox, plus one cgroup per project (limits, freeze, usage) with a group below it per
// command (so exactly that command's tree can be killed). Subclasses only say how the supervisor
// is started: under bubblewrap, or bare for the `none` backend.
//
// The supervisor is not a child of the server: it outlives it, and any benchtop on the same data
// directory finds it through its socket, <state root>/<project id>/supervisor.sock, so they all
// see the same sandbox and the same background processes.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/process/spawned_process.h"
#include "server/sandbox/container_backend.h"
#include "server/sandbox/linux/cgroup.h"

namespace benchtop {

struct SupervisedOptions {
  // Where each project's supervisor socket and home directory live (<root>/<project id>/).
  // Required for starting sandboxes; empty only for a backend that builds command lines.
  std::filesystem::path state_root;
  // The benchtop-sandbox program.
  std::filesystem::path supervisor_program;
};

class SupervisedBackend : public ContainerBackend {
 public:
  // `cgroup_parent`: the directory, in every hierarchy, under which project groups are made.
  SupervisedBackend(CgroupHost host, std::string cgroup_parent, SupervisedOptions options);

  Status ensure(const ContainerSpec& spec) override;
  BackendStatus status(const ContainerSpec& spec) override;
  Result<std::unique_ptr<RunningCommand>> exec(const ContainerSpec& spec,
                                               const ProcessLaunch& launch) override;
  Result<BackgroundProcessInfo> start_process(const ContainerSpec& spec,
                                              const ProcessLaunch& launch) override;
  Result<std::vector<BackgroundProcessInfo>> list_processes(const ContainerSpec& spec) override;
  Result<ProcessOutput> read_process(const ContainerSpec& spec, const std::string& id,
                                     std::optional<uint64_t> since, std::optional<uint64_t> tail,
                                     uint64_t max) override;
  Status write_process(const ContainerSpec& spec, const std::string& id,
                       std::string_view input) override;
  Result<BackgroundProcessInfo> signal_process(const ContainerSpec& spec, const std::string& id,
                                               int signal) override;
  Status suspend(const ContainerSpec& spec) override;
  Status resume(const ContainerSpec& spec) override;
  Status destroy(const ContainerSpec& spec) override;
  Result<bool> adopt(const ContainerSpec& spec) override;
  Status remove_state(const ContainerSpec& spec) override;
  bool in_use(const ContainerSpec& spec, std::chrono::milliseconds idle_for) override;
  Result<UniqueFd> connect_port(const ContainerSpec& spec, int port) override;
  std::optional<std::vector<int>> listening_ports(const ContainerSpec& spec) override;
  // Commands run as `/bin/sh -c command`: a shell reports a child killed by signal N as 128+N.
  bool exit_codes_carry_signals() const override { return true; }

  const CgroupHost& host() const { return host_; }
  // The project's state directory and the supervisor's socket in it.
  std::filesystem::path state_dir(const ContainerSpec& spec) const;
  std::filesystem::path socket_path(const ContainerSpec& spec) const;
  // The home directory kept for the project between commands and restarts.
  std::filesystem::path home_dir(const ContainerSpec& spec) const;

 protected:
  struct Command {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd;                   // host directory to start in ("" = inherit)
    std::vector<UniqueFd> pass_fds;    // inherited by the process at the same numbers
    std::function<int()> before_exec;  // see SpawnOptions::before_exec
  };
  // How the supervisor of `spec` is started: `program_args` ("--listen-fd N ...") follow the
  // supervisor program's path, which the subclass chooses (it may be mounted elsewhere inside);
  // the descriptors those arguments name are kept open by the caller.
  virtual Result<Command> supervisor_command(const ContainerSpec& spec,
                                             const std::vector<std::string>& program_args) = 0;
  // The environment every command starts from (the request's variables are added on top).
  virtual std::map<std::string, std::string> command_environment(const ContainerSpec& spec) const;
  // Makes the home directory usable by the sandbox's user (the bwrap backend chowns it).
  virtual Status prepare_home(const std::filesystem::path& home) const;
  // Isolation caveats to show in status.
  virtual std::vector<std::string> isolation_notes(const ContainerSpec& spec) const = 0;
  const SupervisedOptions& supervised_options() const { return options_; }

 private:
  // The project's cgroup (created on first use, limits applied).
  ProjectCgroup group_for(const ContainerSpec& spec, bool apply_limits);
  // An error unless a state root was given (a backend made only to build command lines has none).
  Status state_configured() const;
  // The supervisor's listening ports (bounded); nullopt when it does not answer.
  std::optional<std::vector<int>> ask_listeners(const ContainerSpec& spec);
  // The supervisor answers hello (bounded).
  bool supervisor_alive(const ContainerSpec& spec);
  // Starts the supervisor unless one answers; serialised across processes by a lock file.
  Status start_supervisor(const ContainerSpec& spec);
  // One attempt: the supervisor created inside the project's cgroups (`born_in_group`) or
  // joining them after the fork; waits until it answers, at most until `deadline`.
  Status launch_supervisor(const ContainerSpec& spec, const ProjectCgroup& group,
                           bool born_in_group, std::chrono::steady_clock::time_point deadline);
  // What the running sandbox was made with ("network" or "isolated"; "" if unknown).
  std::string running_mode(const ContainerSpec& spec) const;
  // Thaws the project if another instance (or the idle timer) froze it.
  Status thaw_if_frozen(const ContainerSpec& spec);
  BackgroundProcessInfo process_info(const ContainerSpec& spec, const nlohmann::json& process);

  CgroupHost host_;
  std::string parent_;
  SupervisedOptions options_;
  std::mutex mutex_;
  std::map<std::string, ProjectCgroup> groups_;  // by project id
};

// benchtop-sandbox beside the running program (the build tree) or in ../lib/benchtop/
// (installed); the first that exists, else the first candidate (the error comes on first use).
std::filesystem::path default_supervisor_program();

// The environment every sandboxed command starts from, before the caller's additions.
std::map<std::string, std::string> base_environment(const std::string& home);
// Checks a workspace-relative cwd lexically: no absolute path, no "..".
Result<std::string> normal_relative_cwd(const std::string& cwd);

}  // namespace benchtop
