// The default backend: every command runs under bubblewrap in fresh namespaces (user, pid, ipc,
// uts, cgroup, net; a project allowed network gets user-mode networking in its own namespace, see
// sandbox_network.h), sees only the host's /usr (read-only),
// a few /etc files, a private /tmp and its workspace at /workspace, with no capabilities, as an
// unprivileged uid, inside its project's cgroup.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/sandbox/cgroup_backend.h"
#include "server/sandbox/sandbox_network.h"

namespace benchtop {

struct BwrapOptions {
  std::filesystem::path bwrap = "/usr/bin/bwrap";
  int64_t tmp_bytes = 512LL * 1024 * 1024;  // size of the private /tmp
  int uid = 1000;
  int gid = 1000;
  // The unprivileged host identity sandboxed processes run as when benchtop is root (pasta, for
  // a networked sandbox, runs as it too).
  uid_t host_uid = 65534;
  gid_t host_gid = 65534;
  // User-mode networking for projects allowed network; null: the operator did not allow any.
  std::shared_ptr<const SandboxNetwork> network;
};

class BwrapBackend : public CgroupBackend {
 public:
  BwrapBackend(CgroupHost host, std::string cgroup_parent, BwrapOptions options = {});

  std::string name() const override { return "bwrap"; }
  // Checks once, on first use rather than at server start (a probe costs a sandbox start), that
  // bubblewrap works here; then creates the project's cgroup.
  Status ensure(const ContainerSpec& spec) override;
  bool exit_codes_carry_signals() const override { return true; }

  // The bubblewrap command line for `launch` (exposed for tests).
  std::vector<std::string> argv_for(const ContainerSpec& spec, const ProcessLaunch& launch,
                                    const std::string& cwd) const;

  // Finds bwrap and checks that it can create namespaces here; the error says why not.
  static Status probe(const BwrapOptions& options = {});

  const BwrapOptions& options() const { return options_; }

 protected:
  Result<Command> command_for(const ContainerSpec& spec, const ProcessLaunch& launch) override;
  std::vector<std::string> isolation_notes(const ContainerSpec& spec) const override;

 private:
  BwrapOptions options_;
  // Runs `argv` to completion; an error with `failure`, its stderr and `hint` unless it exits 0.
  static Status run_probe(const std::vector<std::string>& argv, const std::string& failure,
                          const std::string& hint);
  // Refuses a networked spec unless networking is available here (probing pasta once).
  Status check_network(const ContainerSpec& spec);

  std::mutex probe_mutex_;
  std::optional<Status> probe_result_;
  std::optional<Status> network_probe_result_;
};

// No isolation at all: commands run as the server's user in the workspace directory, limited
// only by the project's cgroup. Only with an explicit flag; the server warns loudly.
class NoneBackend : public CgroupBackend {
 public:
  using CgroupBackend::CgroupBackend;
  std::string name() const override { return "none"; }

 protected:
  Result<Command> command_for(const ContainerSpec& spec, const ProcessLaunch& launch) override;
  std::vector<std::string> isolation_notes(const ContainerSpec& spec) const override;
};

}  // namespace benchtop
