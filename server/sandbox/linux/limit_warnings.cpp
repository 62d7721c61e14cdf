#include "server/sandbox/linux/limit_warnings.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace benchtop {
namespace {

namespace fs = std::filesystem;

// ProjectCgroup::open creates `<mount>/<parent>/<project>`: the parent when it exists, else the
// mount's root, must take a new directory.
bool may_create_under(const fs::path& mount, const std::string& parent) {
  std::error_code ec;
  const fs::path where = fs::is_directory(mount / parent, ec) ? mount / parent : mount;
  return ::access(where.c_str(), W_OK) == 0;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Why `controller` cannot limit a project's group, or nothing when it can (through v2 or v1, as
// ProjectCgroup::open chooses).
std::optional<std::string> cgroup_gap(const HostLimitProbe& probe, const std::string& controller) {
  const CgroupHost& host = probe.cgroups;
  const bool v2 = host.unified && host.unified_has(controller);
  const bool v1 = host.v1.count(controller) > 0;
  if ((v2 && probe.unified_writable) || (v1 && contains(probe.v1_writable, controller))) {
    return std::nullopt;
  }
  if (v2 || v1) {
    const fs::path mount = v2 ? *host.unified : host.v1.at(controller);
    return std::string("cgroup ") + (v2 ? "v2" : "v1") + " controller '" + controller +
           "' is not delegated to this user (cannot create groups under " +
           (mount / probe.cgroup_parent).string() +
           "); run benchtop as root, or in a systemd service with Delegate=yes, or give its user "
           "write access to that directory";
  }
  if (host.unified) {
    return "cgroup v2 controller '" + controller + "' is not enabled (absent from " +
           (*host.unified / "cgroup.controllers").string() +
           "); enable it in the parent group's cgroup.subtree_control, or run benchtop in a "
           "systemd service with Delegate=yes";
  }
  return "no cgroup hierarchy is mounted (neither v2 nor a v1 '" + controller +
         "' controller under /sys/fs/cgroup); mount cgroup2 on /sys/fs/cgroup";
}

}  // namespace

HostLimitProbe probe_host_limits(std::string sandbox, CgroupHost cgroups, std::string cgroup_parent,
                                 std::optional<std::string> disk_unenforced) {
  HostLimitProbe probe;
  probe.sandbox = std::move(sandbox);
  probe.cgroups = std::move(cgroups);
  probe.cgroup_parent = std::move(cgroup_parent);
  probe.disk_unenforced = std::move(disk_unenforced);
  if (probe.cgroups.unified) {
    probe.unified_writable = may_create_under(*probe.cgroups.unified, probe.cgroup_parent);
  }
  for (const auto& [controller, mount] : probe.cgroups.v1) {
    if (may_create_under(mount, probe.cgroup_parent)) probe.v1_writable.push_back(controller);
  }
  return probe;
}

std::vector<std::string> unenforced_limit_warnings(const HostLimitProbe& probe) {
  std::vector<std::string> warnings;
  // podman applies its own limits to its containers; the cgroups are benchtop's own otherwise.
  if (probe.sandbox != "podman") {
    struct Limit {
      const char* name;
      const char* flag;
      const char* controller;
    };
    const Limit limits[] = {{"memory", "--container-memory-mb", "memory"},
                            {"process count", "--container-pids", "pids"},
                            {"CPU", "--container-cpus", "cpu"}};
    for (const Limit& limit : limits) {
      if (auto why = cgroup_gap(probe, limit.controller)) {
        warnings.push_back(std::string("sandbox ") + limit.name + " limit (" + limit.flag +
                           ") will not be enforced: " + *why);
      }
    }
  }
  if (probe.disk_unenforced) {
    warnings.push_back(
        "workspace disk cap (--workspace-disk-mb) will not be enforced: " + *probe.disk_unenforced +
        "; run benchtop as root on a host with loop devices, or pass "
        "--workspace-disk-mb 0 to run without a cap knowingly");
  }
  if (probe.sandbox == "none") {
    warnings.push_back(
        "sandbox network isolation will not be enforced: --sandbox none runs commands in the "
        "host's network namespace; use --sandbox bwrap (the default) to give each project its "
        "own");
  }
  return warnings;
}

}  // namespace benchtop
