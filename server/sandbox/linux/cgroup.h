// Per-project control groups, on pure cgroup v2 hosts and on v1/hybrid hosts alike.
//
// The host layout is detected once (CgroupHost::detect). Each function then uses the best
// hierarchy that offers it: limits from v2 when the unified hierarchy has the controller, else
// from the v1 controller; freezing from `cgroup.freeze` else the v1 freezer; killing a whole tree
// from `cgroup.kill` else by SIGKILL to every pid listed in `cgroup.procs`. A hybrid host (v1
// controllers plus a unified mount without them, like our CI machines) thus gets v1 limits and v2
// kill/freeze. A process joins every hierarchy the group uses (see join_fds()).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/sandbox/container_types.h"

namespace benchtop {

struct CgroupHost {
  // The unified (v2) mount, when there is one: /sys/fs/cgroup on a v2 host, often
  // /sys/fs/cgroup/unified on a hybrid one.
  std::optional<std::filesystem::path> unified;
  std::vector<std::string> unified_controllers;  // from cgroup.controllers of the unified root
  // v1 controller name ("memory", "pids", "cpu", "cpuacct", "freezer") -> its mount.
  std::map<std::string, std::filesystem::path> v1;

  static CgroupHost detect(const std::filesystem::path& mount_root = "/sys/fs/cgroup");
  bool unified_has(const std::string& controller) const;
  // "v2", "v1", "hybrid" or "none", for status and logs.
  std::string describe() const;
};

class ProjectCgroup {
 public:
  // Creates (or adopts) the group `<parent>/<name>` in every hierarchy it uses and applies
  // `limits`. Never fails for lack of cgroups: what could not be set up is absent from
  // enforced() and explained in notes().
  static ProjectCgroup open(const CgroupHost& host, const std::string& parent,
                            const std::string& name, const ContainerLimits& limits);
  // Finds an existing group without creating anything (for reconciliation).
  static ProjectCgroup existing(const CgroupHost& host, const std::string& parent,
                                const std::string& name);

  ProjectCgroup() = default;

  // Applies new limits to the existing directories.
  void apply_limits(const ContainerLimits& limits);
  const std::vector<std::string>& enforced() const { return enforced_; }
  const std::vector<std::string>& notes() const { return notes_; }

  // O_WRONLY fds a freshly forked (single-threaded) child writes "0" to before exec, so it
  // starts inside the group and every descendant stays there: the unified hierarchy's
  // cgroup.procs, and each v1 hierarchy's `tasks`. A v1 `tasks` write of "0" moves the caller's
  // one thread without the global write lock a cgroup.procs write takes (whose RCU grace period
  // costs milliseconds, on a v1 or hybrid host about 7 ms per migration).
  std::vector<UniqueFd> join_fds() const;
  // The same join for a process not yet created: the unified hierarchy as a directory fd for
  // clone3(CLONE_INTO_CGROUP), which needs no migration at all, and its cgroup.procs should the
  // kernel refuse that; the v1 `tasks` files.
  struct Birthplace {
    UniqueFd unified_dir;
    UniqueFd unified_procs;
    std::vector<UniqueFd> v1_tasks;
  };
  Birthplace birthplace() const;

  bool can_freeze() const;
  // Freezes or thaws every process and waits (bounded) until the kernel reports it done.
  Status freeze(bool frozen);
  bool frozen() const;
  // Whether a freeze was asked for (and not undone), finished or not: the kernel's "frozen"
  // report can lag behind or flicker, the request cannot.
  bool freeze_requested() const;
  // Kills every process in the group, including those that called setsid, and waits (bounded)
  // until the group is empty.
  Status kill_all();
  std::vector<int> pids() const;
  ContainerUsage usage() const;
  // A group below this one, in the same hierarchies, with no limits of its own (this group's
  // hold for it): one command's processes, so exactly its tree can be killed.
  ProjectCgroup child(const std::string& name) const;
  // Kills everything and removes the directories, groups below this one included.
  void remove();

 private:
  std::optional<std::filesystem::path> unified_;     // this group in the unified hierarchy
  std::map<std::string, std::filesystem::path> v1_;  // controller -> this group's directory
  std::vector<std::string> enforced_;
  std::vector<std::string> notes_;
  bool unified_memory_ = false, unified_pids_ = false, unified_cpu_ = false;
};

}  // namespace benchtop
