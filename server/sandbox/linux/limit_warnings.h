// The start-up warnings that name each limit the host cannot enforce.
//
// Sandboxes run with per-project cgroup limits (memory, processes, CPU), a disk cap per managed
// workspace and their own network namespace; a host can lack any of these (no delegated cgroup,
// not root, `--sandbox none`). devcontainer_status reports what each sandbox got, but only once
// one runs: an operator should learn at start what will not hold, why, and what to do about it.
// Deciding the warnings is separate from probing the host so that every case can be tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/sandbox/linux/cgroup.h"

namespace benchtop {

// What the host offers, as probed at start-up.
struct HostLimitProbe {
  std::string sandbox = "bwrap";  // --sandbox: "bwrap", "none" or "podman"
  CgroupHost cgroups;             // CgroupHost::detect()
  std::string cgroup_parent = "benchtop";
  // Whether benchtop may create its groups (under `cgroup_parent`) in the unified hierarchy, and
  // in which v1 controllers' hierarchies.
  bool unified_writable = false;
  std::vector<std::string> v1_writable;
  // WorkspaceDisk::unenforced_cap(): why a requested disk cap does not hold.
  std::optional<std::string> disk_unenforced;
};

// Probes what can be probed without side effects: write access where the cgroups would be made.
HostLimitProbe probe_host_limits(std::string sandbox, CgroupHost cgroups, std::string cgroup_parent,
                                 std::optional<std::string> disk_unenforced);

// One message per limit that will not be enforced: which limit, why, and what the operator can do.
// Empty when every limit holds.
std::vector<std::string> unenforced_limit_warnings(const HostLimitProbe& probe);

}  // namespace benchtop
