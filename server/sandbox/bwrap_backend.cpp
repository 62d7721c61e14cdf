#include "server/sandbox/bwrap_backend.h"

#include <unistd.h>

#include "server/sandbox/spawned_process.h"

namespace benchtop {
namespace fs = std::filesystem;

BwrapBackend::BwrapBackend(CgroupHost host, std::string cgroup_parent, BwrapOptions options)
    : CgroupBackend(std::move(host), std::move(cgroup_parent)), options_(std::move(options)) {}

std::vector<std::string> BwrapBackend::argv_for(const ContainerSpec& spec,
                                                const ProcessLaunch& launch,
                                                const std::string& cwd) const {
  std::vector<std::string> argv = {options_.bwrap.string()};
  auto add = [&argv](std::initializer_list<std::string> parts) {
    argv.insert(argv.end(), parts.begin(), parts.end());
  };
  // Never the host's namespace: with network, bubblewrap shares the fresh one pasta made for it.
  const bool networked = spec.network && options_.network && options_.network->available();
  add({"--unshare-all"});
  if (networked) add({"--share-net"});
  add({"--die-with-parent", "--new-session", "--uid", std::to_string(options_.uid), "--gid",
       std::to_string(options_.gid)});
  add({"--ro-bind", "/usr", "/usr"});
  // Merged-/usr hosts have /bin etc. as symlinks into /usr; older layouts have real directories.
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    const auto status = fs::symlink_status(top, ec);
    if (ec) continue;
    if (fs::is_symlink(status)) {
      add({"--symlink", fs::read_symlink(top, ec).string(), top});
    } else if (fs::is_directory(status)) {
      add({"--ro-bind", top, top});
    }
  }
  for (const char* file :
       {"/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/etc/alternatives", "/etc/ssl",
        "/etc/ca-certificates", "/etc/localtime", "/etc/nsswitch.conf"}) {
    add({"--ro-bind-try", file, file});
  }
  // With network the sandbox resolves names like the host does.
  if (networked)
    add({"--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf", "--ro-bind-try", "/etc/hosts",
         "/etc/hosts"});
  add({"--proc", "/proc", "--dev", "/dev", "--size", std::to_string(options_.tmp_bytes), "--tmpfs",
       "/tmp", "--bind", spec.workspace.string(), "/workspace", "--chdir",
       cwd.empty() ? "/workspace" : "/workspace/" + cwd, "--clearenv"});
  auto env = base_environment("/tmp");
  env["BENCHTOP_PROJECT"] = spec.project_name;
  for (const auto& [name, value] : launch.env) env[name] = value;
  for (const auto& [name, value] : env) add({"--setenv", name, value});
  add({"--cap-drop", "ALL", "--remount-ro", "/", "--", "/bin/sh", "-c", launch.command});
  if (networked) return options_.network->wrap(std::move(argv));
  return argv;
}

Status BwrapBackend::ensure(const ContainerSpec& spec) {
  {
    std::lock_guard lock(probe_mutex_);
    if (!probe_result_) probe_result_ = probe(options_);
    if (!*probe_result_) return *probe_result_;
  }
  if (auto network = check_network(spec); !network) return network;
  return CgroupBackend::ensure(spec);
}

Status BwrapBackend::check_network(const ContainerSpec& spec) {
  if (!spec.network) return {};
  if (!options_.network) {
    return Error::make(
        "network access for dev containers is off on this server; the operator can allow it "
        "by starting benchtop with --allow-sandbox-network",
        "network_not_allowed");
  }
  if (!options_.network->available()) {
    return Error::make(options_.network->unavailable_reason(), "unavailable");
  }
  std::lock_guard lock(probe_mutex_);
  if (!network_probe_result_) {
    ContainerSpec probe_spec;
    probe_spec.workspace = fs::temp_directory_path();
    probe_spec.network = true;
    network_probe_result_ = run_probe(
        argv_for(probe_spec, ProcessLaunch{"true", "", {}, false}, ""),
        "user-mode networking (pasta) cannot start a sandbox here",
        "pasta needs /dev/net/tun usable by an unprivileged user (mode 0666, as Debian's udev "
        "rules set it)");
  }
  return *network_probe_result_;
}

Result<CgroupBackend::Command> BwrapBackend::command_for(const ContainerSpec& spec,
                                                         const ProcessLaunch& launch) {
  auto cwd = normal_relative_cwd(launch.cwd);
  if (!cwd) return cwd.take_error();
  if (auto network = check_network(spec); !network) return network.take_error();
  Command command;
  command.argv = argv_for(spec, launch, *cwd);
  return command;
}

std::vector<std::string> BwrapBackend::isolation_notes(const ContainerSpec& spec) const {
  std::vector<std::string> notes = {
      std::string("bubblewrap: own user/pid/ipc/uts/cgroup/network namespaces") +
      (spec.network ? "" : "; network: loopback only, no DNS")};
  if (spec.network) {
    notes.push_back(options_.network ? options_.network->describe()
                                     : "network requested but not allowed by the operator "
                                       "(--allow-sandbox-network); commands are refused");
  }
  return notes;
}

Status BwrapBackend::probe(const BwrapOptions& options) {
  if (::access(options.bwrap.c_str(), X_OK) != 0) {
    return Error::make(options.bwrap.string() +
                           " not found: install bubblewrap (scripts/setup.sh does), or start "
                           "benchtop with --sandbox none --allow-unsandboxed (no isolation)",
                       "unavailable");
  }
  // The same command line as a real command, so the probe fails exactly when commands would.
  const BwrapBackend backend(CgroupHost{}, "", options);
  ContainerSpec spec;
  spec.workspace = fs::temp_directory_path();
  return run_probe(backend.argv_for(spec, ProcessLaunch{"true", "", {}, false}, ""),
                   "bubblewrap cannot create namespaces on this host",
                   "enable unprivileged user namespaces or run as root");
}

Status BwrapBackend::run_probe(const std::vector<std::string>& argv, const std::string& failure,
                               const std::string& hint) {
  SpawnOptions spawn;
  spawn.argv = argv;
  auto process = SpawnedProcess::spawn(spawn);
  if (!process) return process.take_error();
  std::string error_text;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(process->stderr_fd().get(), buffer, sizeof buffer)) > 0) {
    error_text.append(buffer, static_cast<size_t>(n));
  }
  const auto status = process->wait();
  if (status.exit_code != 0) {
    return Error::make(failure + " (" + error_text + "); " + hint, "unavailable");
  }
  return {};
}

Result<CgroupBackend::Command> NoneBackend::command_for(const ContainerSpec& spec,
                                                        const ProcessLaunch& launch) {
  auto cwd = normal_relative_cwd(launch.cwd);
  if (!cwd) return cwd.take_error();
  Command command;
  command.argv = {"/bin/sh", "-c", launch.command};
  auto env = base_environment(spec.workspace.string());
  env["BENCHTOP_PROJECT"] = spec.project_name;
  for (const auto& [name, value] : launch.env) env[name] = value;
  for (const auto& [name, value] : env) command.env.push_back(name + "=" + value);
  command.cwd = (spec.workspace / *cwd).string();
  return command;
}

std::vector<std::string> NoneBackend::isolation_notes(const ContainerSpec&) const {
  return {
      "NO ISOLATION: commands run on the host as the server's user, with its files and "
      "network (backend 'none')"};
}

}  // namespace benchtop
