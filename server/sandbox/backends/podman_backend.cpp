#include "server/sandbox/backends/podman_backend.h"

#include <signal.h>
#include <unistd.h>

#include "server/process/host_program.h"
#include "server/sandbox/backends/supervised_backend.h"

namespace benchtop {

Status PodmanBackend::available(const PodmanOptions& options) {
  if (::access(options.podman.c_str(), X_OK) != 0) {
    return Error::make(
        options.podman.string() + " not found: install podman or use --sandbox bwrap",
        "unavailable");
  }
  if (options.image.empty()) {
    return Error::make(
        "--sandbox podman needs --podman-image IMAGE (or an absolute rootfs "
        "directory)",
        "unavailable");
  }
  return {};
}

std::string PodmanBackend::container_name(const ContainerSpec& spec) {
  return "benchtop-" + spec.project_id;
}

std::vector<std::string> PodmanBackend::run_argv(const ContainerSpec& spec) const {
  std::vector<std::string> args = {"run",
                                   "-d",
                                   "--replace",
                                   "--name",
                                   container_name(spec),
                                   "--runtime",
                                   options_.runtime,
                                   "--network",
                                   "none",
                                   "--cap-drop",
                                   "ALL",
                                   "--security-opt",
                                   "no-new-privileges",
                                   "--read-only",
                                   "--tmpfs",
                                   "/tmp",
                                   "-v",
                                   spec.workspace.string() + ":/workspace:rw",
                                   "-w",
                                   "/workspace"};
  if (spec.limits.memory_bytes > 0) {
    args.insert(args.end(), {"--memory", std::to_string(spec.limits.memory_bytes), "--memory-swap",
                             std::to_string(spec.limits.memory_bytes)});
  }
  if (spec.limits.pids > 0)
    args.insert(args.end(), {"--pids-limit", std::to_string(spec.limits.pids)});
  if (spec.limits.cpu_millis > 0) {
    args.insert(args.end(), {"--cpus", std::to_string(spec.limits.cpu_millis / 1000.0)});
  }
  // All options before --rootfs DIR (podman reads what follows as the command).
  if (!options_.image.empty() && options_.image.front() == '/') {
    args.insert(args.end(), {"--rootfs", options_.image});
  } else {
    args.push_back(options_.image);
  }
  args.insert(args.end(), {"sleep", "infinity"});
  return args;
}

Result<std::string> PodmanBackend::podman(std::vector<std::string> args) const {
  std::vector<std::string> argv = {options_.podman.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_host_program(argv, std::chrono::seconds(60));
}

Status PodmanBackend::ensure(const ContainerSpec& spec) {
  if (auto ok = available(options_); !ok) return ok;
  // Host networking would share the host's namespace, loopback services included; user-mode
  // networking with the host-address guard exists for the bwrap backend only.
  if (spec.network) {
    return Error::make("network access is only available with the bwrap backend", "unavailable");
  }
  auto state = podman({"inspect", "--format", "{{.State.Status}}", container_name(spec)});
  if (state && state->rfind("running", 0) == 0) return {};
  if (state && state->rfind("paused", 0) == 0) return resume(spec);
  auto started = podman(run_argv(spec));
  if (!started) return started.take_error();
  return {};
}

BackendStatus PodmanBackend::status(const ContainerSpec& spec) {
  BackendStatus status;
  auto state = podman({"inspect", "--format", "{{.State.Status}}", container_name(spec)});
  status.exists = state.ok();
  status.frozen = state.ok() && state->rfind("paused", 0) == 0;
  if (status.exists) {
    // podman applies these through its own cgroup; they hold while the container exists.
    if (spec.limits.memory_bytes > 0) status.enforced.push_back("memory");
    if (spec.limits.pids > 0) status.enforced.push_back("pids");
    if (spec.limits.cpu_millis > 0) status.enforced.push_back("cpu");
    status.enforced.push_back("freeze");
  }
  status.notes.push_back(
      "podman container " + container_name(spec) + " from " + options_.image +
      "; a timed-out command is killed with its podman exec session, and processes it left "
      "behind end when the container is destroyed");
  return status;
}

Result<SpawnedProcess> PodmanBackend::spawn(const ContainerSpec& spec,
                                            const ProcessLaunch& launch) {
  auto cwd = normal_relative_cwd(launch.cwd);
  if (!cwd) return cwd.take_error();
  SpawnOptions options;
  options.argv = {options_.podman.string(), "exec", "-i", "-w",
                  cwd->empty() ? "/workspace" : "/workspace/" + *cwd};
  auto env = base_environment("/tmp");
  env["BENCHTOP_PROJECT"] = spec.project_name;
  for (const auto& [name, value] : launch.env) env[name] = value;
  for (const auto& [name, value] : env)
    options.argv.insert(options.argv.end(), {"-e", name + "=" + value});
  options.argv.insert(options.argv.end(), {container_name(spec), "/bin/sh", "-c", launch.command});
  options.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  options.merge_stderr = launch.merge_stderr;
  return SpawnedProcess::spawn(options);
}

Status PodmanBackend::suspend(const ContainerSpec& spec) {
  auto done = podman({"pause", container_name(spec)});
  if (!done) return done.take_error();
  return {};
}

Status PodmanBackend::resume(const ContainerSpec& spec) {
  auto done = podman({"unpause", container_name(spec)});
  if (!done) return done.take_error();
  return {};
}

Status PodmanBackend::destroy(const ContainerSpec& spec) {
  {
    std::lock_guard lock(mutex_);
    processes_.erase(spec.project_id);
  }
  auto done = podman({"rm", "-f", "-t", "0", container_name(spec)});
  if (!done) return done.take_error();
  return {};
}

Result<bool> PodmanBackend::adopt(const ContainerSpec& spec) {
  // Background processes are this server's children (`podman exec` sessions): they did not
  // survive it, so the container is made again rather than adopted.
  if (::access(options_.podman.c_str(), X_OK) != 0) return false;
  (void)podman({"rm", "-f", "-t", "0", container_name(spec)});
  return false;
}

Result<std::unique_ptr<RunningCommand>> PodmanBackend::exec(const ContainerSpec& spec,
                                                            const ProcessLaunch& launch) {
  auto process = spawn(spec, launch);
  if (!process) return process.take_error();
  return std::unique_ptr<RunningCommand>(
      std::make_unique<LocalCommand>(std::move(process).value()));
}

Result<BackgroundProcessInfo> PodmanBackend::start_process(const ContainerSpec& spec,
                                                           const ProcessLaunch& launch) {
  std::string id;
  {
    std::lock_guard lock(mutex_);
    id = "proc-" + std::to_string(++next_process_[spec.project_id]);
  }
  ProcessLaunch merged = launch;
  merged.merge_stderr = true;
  auto started = BackgroundProcess::start(
      id, spec.project_id, launch.command, [this, spec, merged] { return spawn(spec, merged); },
      1024 * 1024, exit_codes_carry_signals());
  if (!started) return started.take_error();
  std::lock_guard lock(mutex_);
  processes_[spec.project_id][id] = *started;
  return (*started)->info();
}

Result<std::shared_ptr<BackgroundProcess>> PodmanBackend::find(const ContainerSpec& spec,
                                                               const std::string& id) {
  std::lock_guard lock(mutex_);
  auto project = processes_.find(spec.project_id);
  if (project != processes_.end()) {
    auto it = project->second.find(id);
    if (it != project->second.end()) return it->second;
  }
  return Error::make("no process '" + id + "' in this project; call process_list", "not_found");
}

Result<std::vector<BackgroundProcessInfo>> PodmanBackend::list_processes(
    const ContainerSpec& spec) {
  std::vector<BackgroundProcessInfo> list;
  std::lock_guard lock(mutex_);
  for (const auto& [id, process] : processes_[spec.project_id]) list.push_back(process->info());
  return list;
}

Result<ProcessOutput> PodmanBackend::read_process(const ContainerSpec& spec, const std::string& id,
                                                  std::optional<uint64_t> since,
                                                  std::optional<uint64_t> tail, uint64_t max) {
  auto process = find(spec, id);
  if (!process) return process.take_error();
  auto slice = (*process)->read(since, tail);
  ProcessOutput output;
  output.process = (*process)->info();
  output.data = std::move(slice.data);
  output.start = slice.start;
  output.next = slice.next;
  output.dropped = slice.dropped;
  if (output.data.size() > max) {
    output.data.resize(max);
    output.next = output.start + max;
  }
  return output;
}

Status PodmanBackend::write_process(const ContainerSpec& spec, const std::string& id,
                                    std::string_view input) {
  auto process = find(spec, id);
  if (!process) return process.take_error();
  return (*process)->write(input);
}

Result<BackgroundProcessInfo> PodmanBackend::signal_process(const ContainerSpec& spec,
                                                            const std::string& id, int signal) {
  auto process = find(spec, id);
  if (!process) return process.take_error();
  if (auto sent = (*process)->signal(signal); !sent) return sent.take_error();
  if (signal == SIGKILL) (*process)->wait_exit(std::chrono::seconds(5));
  return (*process)->info();
}

}  // namespace benchtop
