#include "server/sandbox/backends/podman_backend.h"

#include <unistd.h>

#include "server/process/host_program.h"
#include "server/sandbox/backends/cgroup_backend.h"

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

Result<SpawnedProcess> PodmanBackend::exec(const ContainerSpec& spec, const ProcessLaunch& launch) {
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
  auto done = podman({"rm", "-f", "-t", "0", container_name(spec)});
  if (!done) return done.take_error();
  return {};
}

Status PodmanBackend::kill_leftovers(const ContainerSpec& spec) {
  if (::access(options_.podman.c_str(), X_OK) != 0) return {};
  (void)podman({"rm", "-f", "-t", "0", container_name(spec)});
  return {};
}

}  // namespace benchtop
