// The default backend: each project's sandbox is one bubblewrap instance with namespaces of its
// own (user, pid, ipc, uts, cgroup, net; a project allowed network gets user-mode networking in
// its own namespace, see sandbox_network.h), made once and kept: its supervisor starts every
// command of the project inside it. It sees only the host's /usr (read-only), a few /etc files,
// a /tmp of its own that lasts as long as the sandbox, the project's home at /home/dev and its
// workspace at /workspace, with no capabilities, as an unprivileged uid, inside its project's
// cgroup.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/sandbox/backends/supervised_backend.h"
#include "server/sandbox/linux/host_identity.h"
#include "server/sandbox/linux/sandbox_network.h"

namespace benchtop {

struct BwrapOptions {
  std::filesystem::path bwrap = "/usr/bin/bwrap";
  int64_t tmp_bytes = 512LL * 1024 * 1024;  // size of the private /tmp
  int uid = 1000;                           // the user inside the sandbox
  int gid = 1000;
  // Who that user is on the host when benchtop runs as root (never 0). Without root, bubblewrap
  // maps it to the invoking user and these are unused. pasta, for a networked sandbox, runs as
  // this identity too, and the nftables guard is installed for this uid.
  uid_t host_uid = kDefaultSandboxHostId;
  gid_t host_gid = kDefaultSandboxHostId;
  // As root: where each sandbox's own mount namespace attaches its idmapped workspace before
  // bubblewrap binds it to /workspace (a path the unprivileged host_uid can reach).
  std::filesystem::path workspace_mount_point = "/run/benchtop-sandbox";
  // As root, likewise for the project's home directory and the supervisor program.
  std::filesystem::path home_mount_point = "/run/benchtop-sandbox.home";
  std::filesystem::path program_mount_point = "/run/benchtop-sandbox.program";
  // User-mode networking for projects allowed network; null: the operator did not allow any.
  std::shared_ptr<const SandboxNetwork> network;
};

// Where the supervisor program appears inside the sandbox.
inline constexpr const char* kSupervisorInside = "/.benchtop/sandbox";

class BwrapBackend : public SupervisedBackend {
 public:
  BwrapBackend(CgroupHost host, std::string cgroup_parent, BwrapOptions options = {},
               SupervisedOptions supervised = {});

  std::string name() const override { return "bwrap"; }
  // Checks once, on first use rather than at server start (a probe costs a sandbox start), that
  // bubblewrap works here; then creates the project's cgroup.
  Status ensure(const ContainerSpec& spec) override;

  // The bubblewrap command line that runs `program` (argv) as the sandbox's first process
  // (exposed for tests), behind pasta's for a networked spec. The process is started with only
  // `bwrap --args FD`: bwrap's options reach it through a memfd, so the sandbox's
  // /proc/1/cmdline shows nothing of the host. `seccomp_fd` < 0 leaves the filter out.
  std::vector<std::string> argv_for(const ContainerSpec& spec,
                                    const std::vector<std::string>& program,
                                    int seccomp_fd = -1) const;
  // Whether sandboxes drop from root to host_uid/host_gid (benchtop runs as root).
  bool drops_root() const { return drops_root_; }

  // Finds bwrap and checks that it can create namespaces here; the error says why not.
  static Status probe(const BwrapOptions& options = {});

  const BwrapOptions& options() const { return options_; }

 protected:
  Result<Command> supervisor_command(const ContainerSpec& spec,
                                     const std::vector<std::string>& program_args) override;
  Status prepare_home(const std::filesystem::path& home) const override;
  std::vector<std::string> isolation_notes(const ContainerSpec& spec) const override;

 private:
  // As root: the private mount namespace, idmapped workspace, binds and identity drop for `spec`.
  Status add_identity_drop(const ContainerSpec& spec, Command& command, bool persistent);

  BwrapOptions options_;
  // bwrap's own command line, without the pasta prefix a networked spec gets. `home`: the host
  // directory bound at /home/dev ("" for none); `program_source`: the host file bound at
  // kSupervisorInside ("" for none).
  std::vector<std::string> bwrap_argv_for(const ContainerSpec& spec,
                                          const std::vector<std::string>& program, int seccomp_fd,
                                          const std::string& home,
                                          const std::string& program_source) const;
  // The command that runs `program` in a sandbox for `spec`, without the network check (the
  // probes use it). With `persistent`, the project's home and the supervisor program are bound.
  Result<Command> build_command(const ContainerSpec& spec, const std::vector<std::string>& program,
                                bool persistent);
  // Runs `true` as a real command would run (seccomp filter, identity drop, idmapped workspace,
  // pasta when `networked`) in an empty workspace of its own, so a probe fails exactly when
  // commands would; an error with `failure`, bwrap's stderr and `hint` unless it exits 0.
  Status run_probe(bool networked, const std::string& failure, const std::string& hint);
  // Refuses a networked spec unless networking is available here (probing pasta once).
  Status check_network(const ContainerSpec& spec);

  bool drops_root_;
  std::unique_ptr<IdmapNamespaces> idmaps_;
  std::mutex probe_mutex_;
  std::optional<Status> probe_result_;
  std::optional<Status> network_probe_result_;
};

// No isolation at all: the supervisor and every command run as the server's user in the
// workspace directory, limited only by the project's cgroup. Only with an explicit flag; the server
// warns loudly.
class NoneBackend : public SupervisedBackend {
 public:
  using SupervisedBackend::SupervisedBackend;
  std::string name() const override { return "none"; }

 protected:
  Result<Command> supervisor_command(const ContainerSpec& spec,
                                     const std::vector<std::string>& program_args) override;
  std::map<std::string, std::string> command_environment(const ContainerSpec& spec) const override;
  std::vector<std::string> isolation_notes(const ContainerSpec& spec) const override;
};

}  // namespace benchtop
