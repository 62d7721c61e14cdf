#include "server/sandbox/backends/bwrap_backend.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/process/spawned_process.h"
#include "server/sandbox/linux/bwrap_system.h"
#include "server/sandbox/linux/seccomp_filter.h"

namespace benchtop {
namespace fs = std::filesystem;

BwrapBackend::BwrapBackend(CgroupHost host, std::string cgroup_parent, BwrapOptions options,
                           SupervisedOptions supervised)
    : SupervisedBackend(std::move(host), std::move(cgroup_parent), std::move(supervised)),
      options_(std::move(options)),
      drops_root_(::geteuid() == 0),
      idmaps_(std::make_unique<IdmapNamespaces>(options_.host_uid, options_.host_gid)) {}

std::vector<std::string> BwrapBackend::argv_for(const ContainerSpec& spec,
                                                const std::vector<std::string>& program,
                                                int seccomp_fd) const {
  auto argv = bwrap_argv_for(spec, program, seccomp_fd, "", "");
  if (spec.network && options_.network && options_.network->available()) {
    return options_.network->wrap(std::move(argv));
  }
  return argv;
}

std::vector<std::string> BwrapBackend::bwrap_argv_for(const ContainerSpec& spec,
                                                      const std::vector<std::string>& program,
                                                      int seccomp_fd, const std::string& home,
                                                      const std::string& program_source) const {
  std::vector<std::string> argv = {options_.bwrap.string()};
  auto add = [&argv](std::initializer_list<std::string> parts) {
    argv.insert(argv.end(), parts.begin(), parts.end());
  };
  // --disable-userns (with the seccomp rules) leaves the sandbox no way to make a user namespace
  // of its own, the door to most kernel attack surface that capabilities would otherwise guard.
  add({"--unshare-all", "--unshare-user", "--disable-userns", "--assert-userns-disabled"});
  // Never the host's namespace: with network, bubblewrap shares the fresh one pasta made for it.
  const bool networked = spec.network && options_.network && options_.network->available();
  if (networked) add({"--share-net"});
  // No --die-with-parent: the sandbox outlives the server that started it (any benchtop on the
  // data directory uses it); destroy() kills it through its cgroup.
  add({"--new-session", "--uid", std::to_string(options_.uid), "--gid",
       std::to_string(options_.gid)});
  const auto system = bwrap_host_system_args();
  argv.insert(argv.end(), system.begin(), system.end());
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
       "/tmp", "--bind",
       drops_root_ ? options_.workspace_mount_point.string() : spec.workspace.string(),
       "/workspace"});
  if (!home.empty()) add({"--bind", home, "/home/dev"});
  if (!program_source.empty()) add({"--ro-bind", program_source, kSupervisorInside});
  add({"--chdir", "/workspace", "--clearenv"});
  for (const auto& [name, value] : command_environment(spec)) add({"--setenv", name, value});
  if (seccomp_fd >= 0) add({"--seccomp", std::to_string(seccomp_fd)});
  add({"--cap-drop", "ALL", "--remount-ro", "/", "--"});
  argv.insert(argv.end(), program.begin(), program.end());
  return argv;
}

Status BwrapBackend::ensure(const ContainerSpec& spec) {
  {
    std::lock_guard lock(probe_mutex_);
    if (!probe_result_) probe_result_ = probe(options_);
    if (!*probe_result_) return *probe_result_;
  }
  if (auto network = check_network(spec); !network) return network;
  return SupervisedBackend::ensure(spec);
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
    network_probe_result_ = run_probe(
        true, "user-mode networking (pasta) cannot start a sandbox here",
        "pasta needs /dev/net/tun usable by an unprivileged user (mode 0666, as Debian's udev "
        "rules set it)");
  }
  return *network_probe_result_;
}

Result<SupervisedBackend::Command> BwrapBackend::supervisor_command(
    const ContainerSpec& spec, const std::vector<std::string>& program_args) {
  if (auto network = check_network(spec); !network) return network.take_error();
  std::vector<std::string> program = {kSupervisorInside};
  program.insert(program.end(), program_args.begin(), program_args.end());
  program.insert(program.end(), {"--workspace", "/workspace"});
  return build_command(spec, program, true);
}

Status BwrapBackend::prepare_home(const fs::path& home) const {
  // As root the sandbox's user is host_uid: the home directory must be its own.
  if (drops_root_ && ::chown(home.c_str(), options_.host_uid, options_.host_gid) != 0) {
    return Error::make("chown " + home.string() + ": " + std::strerror(errno), "unavailable");
  }
  return {};
}

Result<SupervisedBackend::Command> BwrapBackend::build_command(
    const ContainerSpec& spec, const std::vector<std::string>& program, bool persistent) {
  auto filter = sandbox_seccomp_program();
  if (!filter) return filter.take_error();
  auto seccomp = memfd_holding("seccomp", *filter);
  if (!seccomp) return seccomp.take_error();
  // As root, the home and the program are bound where the sandbox identity can reach them
  // (add_identity_drop); otherwise bubblewrap binds them from where they are.
  std::string home, program_source;
  if (persistent) {
    home = drops_root_ ? options_.home_mount_point.string() : home_dir(spec).string();
    program_source = drops_root_ ? options_.program_mount_point.string()
                                 : supervised_options().supervisor_program.string();
  }
  const auto argv = bwrap_argv_for(spec, program, seccomp->get(), home, program_source);
  // bwrap takes options, not the command, from --args: the options (paths, environment) go through
  // the memfd; the words after "--" (the program) stay on the command line (found by position:
  // an environment value may itself be "--").
  const auto separator = argv.end() - static_cast<std::ptrdiff_t>(program.size() + 1);
  std::string words;
  for (auto word = argv.begin() + 1; word != separator; ++word) words.append(*word).push_back('\0');
  auto args = memfd_holding("args", words);
  if (!args) return args.take_error();

  Command command;
  command.argv = {argv.front(), "--args", std::to_string(args->get())};
  command.argv.insert(command.argv.end(), separator, argv.end());
  // A networked sandbox: pasta makes the network namespace and starts bwrap in it. pasta passes
  // the memfds on, and runs as host_uid too: the identity drop below happens before its exec.
  if (spec.network && options_.network && options_.network->available()) {
    command.argv = options_.network->wrap(std::move(command.argv));
  }
  command.pass_fds.push_back(std::move(seccomp).value());
  command.pass_fds.push_back(std::move(args).value());
  if (drops_root_) {
    if (auto added = add_identity_drop(spec, command, persistent); !added) {
      return added.take_error();
    }
  }
  return command;
}

Status BwrapBackend::add_identity_drop(const ContainerSpec& spec, Command& command,
                                       bool persistent) {
  struct stat owner {};
  if (::stat(spec.workspace.c_str(), &owner) != 0 || !S_ISDIR(owner.st_mode)) {
    return Error::make("the project's workspace directory is missing", "unavailable");
  }
  auto userns = idmaps_->for_owner(owner.st_uid, owner.st_gid);
  if (!userns) return userns.take_error();
  auto drop = std::make_shared<IdentityDrop>();
  drop->workspace = spec.workspace.string();
  drop->mount_point = options_.workspace_mount_point.string();
  drop->idmap_userns_fd = *userns;
  drop->uid = options_.host_uid;
  drop->gid = options_.host_gid;
  if (persistent) {
    drop->binds.push_back({home_dir(spec).string(), options_.home_mount_point.string()});
    drop->binds.push_back(
        {supervised_options().supervisor_program.string(), options_.program_mount_point.string()});
  }
  command.before_exec = [drop] { return enter_sandbox_identity(*drop); };
  return {};
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
  notes.push_back(
      "seccomp filter (Docker-like deny-list, no set-id files, no nested user "
      "namespaces)" +
      (drops_root_ ? "; runs as host uid " + std::to_string(options_.host_uid) +
                         " with an idmapped workspace, never as root"
                   : std::string()));
  return notes;
}

Status BwrapBackend::probe(const BwrapOptions& options) {
  if (::access(options.bwrap.c_str(), X_OK) != 0) {
    return Error::make(options.bwrap.string() +
                           " not found: install bubblewrap (scripts/setup.sh does), or start "
                           "benchtop with --sandbox none --allow-unsandboxed (no isolation)",
                       "unavailable");
  }
  BwrapBackend backend(CgroupHost{}, "", options);
  if (backend.drops_root()) {
    if (options.host_uid == 0 || options.host_gid == 0) {
      return Error::make("the sandbox's host uid and gid must not be 0 (root)", "unavailable");
    }
    if (auto prepared = prepare_mount_point(options.workspace_mount_point); !prepared) {
      return prepared.take_error();
    }
    if (auto prepared = prepare_mount_point(options.home_mount_point); !prepared) {
      return prepared.take_error();
    }
    if (auto prepared = prepare_file_mount_point(options.program_mount_point); !prepared) {
      return prepared.take_error();
    }
  }
  Status ran =
      backend.run_probe(false, "bubblewrap cannot create namespaces on this host",
                        "enable unprivileged user namespaces (bubblewrap runs unprivileged, also "
                        "when benchtop runs as root)");
  if (!ran && backend.drops_root()) {
    return Error::make(ran.error().message +
                           " (while giving the sandbox an idmapped workspace "
                           "as uid " +
                           std::to_string(options.host_uid) +
                           ": the data directory's file system must support idmapped mounts "
                           "(ext4, xfs, btrfs, tmpfs) and --sandbox-uid must name an id this "
                           "host can switch to)",
                       "unavailable");
  }
  return ran;
}

Status BwrapBackend::run_probe(bool networked, const std::string& failure,
                               const std::string& hint) {
  std::error_code ec;
  std::string workspace = (fs::temp_directory_path(ec) / "benchtop-probe-XXXXXX").string();
  if (::mkdtemp(workspace.data()) == nullptr) {
    return Error::make("cannot make a directory for the sandbox probe: " +
                       std::string(strerror(errno)));
  }
  struct Remove {
    std::string path;
    ~Remove() { ::rmdir(path.c_str()); }
  } remove{workspace};
  ContainerSpec spec;
  spec.workspace = workspace;
  spec.network = networked;
  auto command = build_command(spec, {"/bin/sh", "-c", "true"}, false);
  if (!command) return command.take_error();
  SpawnOptions options;
  options.argv = command->argv;
  options.env = command->env;
  for (const auto& fd : command->pass_fds) options.keep_fds.push_back(fd.get());
  options.before_exec = command->before_exec;
  auto process = SpawnedProcess::spawn(options);
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

Result<SupervisedBackend::Command> NoneBackend::supervisor_command(
    const ContainerSpec& spec, const std::vector<std::string>& program_args) {
  Command command;
  command.argv = {supervised_options().supervisor_program.string()};
  command.argv.insert(command.argv.end(), program_args.begin(), program_args.end());
  command.argv.insert(command.argv.end(), {"--workspace", spec.workspace.string()});
  for (const auto& [name, value] : command_environment(spec)) {
    command.env.push_back(name + "=" + value);
  }
  command.cwd = spec.workspace.string();
  return command;
}

std::map<std::string, std::string> NoneBackend::command_environment(
    const ContainerSpec& spec) const {
  auto env = base_environment(home_dir(spec).string());
  env["BENCHTOP_PROJECT"] = spec.project_name;
  return env;
}

std::vector<std::string> NoneBackend::isolation_notes(const ContainerSpec&) const {
  return {
      "NO ISOLATION: commands run on the host as the server's user, with its files and "
      "network (backend 'none')"};
}

}  // namespace benchtop
