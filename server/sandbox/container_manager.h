// Owns every project's dev container: creates or resumes it on demand, runs commands in it (it is
// the CommandRunner every tool uses), keeps background processes, suspends idle containers,
// reconciles state left by an earlier run, and honours the exec kill switch. State lives in the
// SQLite `containers` table; the backend does the isolation.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/process/command_runner.h"
#include "server/sandbox/container_backend.h"
#include "server/sandbox/container_store.h"
#include "server/sandbox/workspace_disk.h"

namespace benchtop {

// What the manager needs to know of a project.
struct ContainerProject {
  std::string id;
  std::string name;
  std::filesystem::path workspace;
};
using ProjectResolver =
    std::function<Result<ContainerProject>(const std::optional<std::string>& project)>;

struct ContainerManagerOptions {
  // Every new container's limits, and the ceiling of what devcontainer_ensure may ask for: the
  // model may lower a limit but never raise it above the operator's (0 here: no ceiling).
  ContainerLimits default_limits;
  bool default_network = false;
  // --allow-sandbox-network: without it no container gets network, whatever is asked or stored.
  bool allow_network = false;
  std::chrono::seconds idle_suspend{30 * 60};  // 0: never suspend
  bool exec_enabled = true;
  size_t max_processes_per_project = 16;
  size_t process_ring_bytes = 1024 * 1024;
  // Reports each workspace's disk cap in the status (not owned; null: nothing is said of disk).
  const WorkspaceDisk* disk = nullptr;
};

// Changes devcontainer_ensure may make; absent fields keep their value.
struct ContainerSettings {
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> pids;
  std::optional<int64_t> cpu_millis;
  std::optional<bool> network;
};

struct ContainerInfo {
  std::string project_id;
  std::string project_name;
  std::string backend;
  ContainerState state = ContainerState::kStopped;
  ContainerLimits limits;
  bool network = false;
  std::string error;
  std::string last_activity;
  size_t processes = 0;          // background processes still running
  int64_t disk_limit_bytes = 0;  // 0: the workspace's disk is not limited
  BackendStatus backend_status;  // the disk's entry in `enforced`, usage and notes included
};

class ContainerManager : public CommandRunner {
 public:
  ContainerManager(ContainerRepository& repository, std::unique_ptr<ContainerBackend> backend,
                   ProjectResolver resolver, ContainerManagerOptions options);
  ~ContainerManager() override;
  ContainerManager(const ContainerManager&) = delete;
  ContainerManager& operator=(const ContainerManager&) = delete;

  // At start-up: adopts the containers that are still alive (an earlier run's, or another
  // benchtop's on the same data directory: never killed) and marks the others stopped (the next
  // command starts them again), cleaning up what is left of them. Returns how many rows changed.
  Result<size_t> reconcile();

  Result<ContainerInfo> ensure(const std::optional<std::string>& project,
                               const ContainerSettings& settings = {});
  Result<ContainerInfo> status(const std::optional<std::string>& project);
  Result<ContainerInfo> suspend(const std::optional<std::string>& project);
  Result<ContainerInfo> resume(const std::optional<std::string>& project);
  Result<ContainerInfo> destroy(const std::optional<std::string>& project);
  // For a project being deleted: destroys its container and removes what outlives containers
  // (the project's home directory).
  Status remove(const std::string& project_id);

  Result<ExecResult> run(const std::optional<std::string>& project, const ExecRequest& request,
                         const CancellationToken& cancellation,
                         const OutputSink& on_output = {}) override;

  // Background processes. Their ids belong to their project's container: another project's id
  // is "not found".
  Result<BackgroundProcessInfo> start_process(const std::optional<std::string>& project,
                                              const ProcessLaunch& launch);
  Result<ProcessOutput> read_process(const std::optional<std::string>& project,
                                     const std::string& process_id, std::optional<uint64_t> since,
                                     std::optional<uint64_t> tail, uint64_t max);
  Result<BackgroundProcessInfo> kill_process(const std::optional<std::string>& project,
                                             const std::string& process_id, int signal);
  Status write_process(const std::optional<std::string>& project, const std::string& process_id,
                       std::string_view input);
  Result<std::vector<BackgroundProcessInfo>> list_processes(
      const std::optional<std::string>& project);

  // A TCP connection to `port` on the project's container loopback (the container must run; it
  // is not started for this).
  Result<UniqueFd> connect_port(const std::optional<std::string>& project, int port);
  // The TCP ports the project's container listens on; nullopt when it is not running (see
  // ContainerBackend::listening_ports: asking wakes nothing).
  std::optional<std::vector<int>> listening_ports(const std::optional<std::string>& project);

  // The kill switch: while disabled, run() and start_process() refuse with code "exec_disabled".
  void set_exec_enabled(bool enabled);
  bool exec_enabled() const { return exec_enabled_.load(); }
  // Called after each change of the kill switch (the server then tells clients its tool list
  // changed). Set before serving.
  void on_exec_enabled_changed(std::function<void(bool enabled)> listener) {
    exec_listener_ = std::move(listener);
  }
  static std::string disabled_message();

  // Suspends running containers idle for longer than the configured time (called by the idle
  // thread; public so tests can drive it). Returns how many were suspended.
  size_t suspend_idle(std::chrono::steady_clock::duration idle_for);

  const std::string& backend_name() const { return backend_name_; }
  bool network_allowed() const { return options_.allow_network; }
  static std::string network_not_allowed_message();

 private:
  struct Entry {
    ContainerSpec spec;
    ContainerState state = ContainerState::kStopped;
    std::chrono::steady_clock::time_point last_activity = std::chrono::steady_clock::now();
    int active = 0;  // commands running now
    std::chrono::steady_clock::time_point last_persisted{};
  };

  // Resolves the project, loads or creates its row, and makes the container running.
  Result<ContainerSpec> prepare(const std::optional<std::string>& project);
  Result<ContainerRow> load_row(const ContainerProject& project);
  // The spec of a project's container as stored, without starting it.
  Result<ContainerSpec> spec_for(const std::optional<std::string>& project);
  // Refuses settings beyond what the operator allows (limits above theirs, network without the
  // flag), naming the flag or the most that may be asked for.
  Status check_settings(const ContainerSettings& settings) const;
  // What a stored row may really have: limits within the operator's, network only if allowed
  // (a row saved under looser flags does not keep them).
  void bound_to_operator(ContainerRow& row) const;
  Result<ContainerInfo> info_for(const ContainerProject& project);
  // With `only_if_idle_for`, suspends only if still idle that long when the lock is held.
  Result<ContainerInfo> suspend_container(
      const std::optional<std::string>& name,
      std::optional<std::chrono::steady_clock::duration> only_if_idle_for);
  void finish_activity(const std::string& project_id);
  // This server's view of a project's container was wrong (it is gone): the next command makes
  // it again.
  void forget_running(const std::string& project_id);
  void idle_loop();

  ContainerStore store_;
  std::unique_ptr<ContainerBackend> backend_;
  const std::string backend_name_;
  ProjectResolver resolver_;
  const ContainerManagerOptions options_;
  std::atomic<bool> exec_enabled_;
  std::function<void(bool)> exec_listener_;

  // Lifecycle changes (ensure, suspend, resume, destroy) of one project take turns; those of
  // different projects never wait for each other, and commands run outside the lock. An entry
  // lives as long as the manager (one small mutex per project ever touched), so two callers can
  // never hold different locks for the same project.
  std::shared_ptr<std::mutex> lifecycle_of(const std::string& project_id);
  std::mutex lifecycle_locks_mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> lifecycle_locks_;
  std::mutex mutex_;  // entries_
  std::map<std::string, Entry> entries_;

  std::mutex idle_mutex_;
  std::condition_variable idle_cv_;
  bool stopping_ = false;
  std::thread idle_thread_;
};

}  // namespace benchtop
