// The start-up warnings about limits the host cannot enforce, decided from fake probe results so
// that every host layout is covered whatever this machine has.
#include "server/sandbox/linux/limit_warnings.h"

#include <gtest/gtest.h>

#include "server/sandbox/workspace_disk.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {
namespace {

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

HostLimitProbe pure_v2(const std::vector<std::string>& controllers, bool writable) {
  HostLimitProbe probe;
  probe.cgroups.unified = "/sys/fs/cgroup";
  probe.cgroups.unified_controllers = controllers;
  probe.unified_writable = writable;
  return probe;
}

TEST(LimitWarnings, NoneWhenEveryLimitHolds) {
  EXPECT_TRUE(unenforced_limit_warnings(pure_v2({"cpu", "memory", "pids"}, true)).empty());
}

TEST(LimitWarnings, NamesAControllerTheUnifiedHierarchyLacks) {
  const auto warnings = unenforced_limit_warnings(pure_v2({"cpu", "pids"}, true));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(mentions(warnings[0], "sandbox memory limit (--container-memory-mb)")) << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "'memory' is not enabled")) << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "cgroup.subtree_control")) << warnings[0];
}

TEST(LimitWarnings, SaysControllersAreNotDelegatedWhenGroupsCannotBeCreated) {
  const auto warnings = unenforced_limit_warnings(pure_v2({"cpu", "memory", "pids"}, false));
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_TRUE(mentions(warnings[0], "cgroup v2 controller 'memory' is not delegated to this user"))
      << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "/sys/fs/cgroup/benchtop")) << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "Delegate=yes")) << warnings[0];
  EXPECT_TRUE(mentions(warnings[1], "process count limit (--container-pids)")) << warnings[1];
  EXPECT_TRUE(mentions(warnings[2], "CPU limit (--container-cpus)")) << warnings[2];
}

TEST(LimitWarnings, AHybridHostsWritableV1ControllersEnforceTheLimits) {
  HostLimitProbe probe;
  probe.cgroups.unified = "/sys/fs/cgroup/unified";
  for (const char* controller : {"memory", "pids", "cpu"}) {
    probe.cgroups.v1[controller] = std::string("/sys/fs/cgroup/") + controller;
  }
  probe.v1_writable = {"memory", "cpu"};
  const auto warnings = unenforced_limit_warnings(probe);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(mentions(warnings[0], "cgroup v1 controller 'pids' is not delegated")) << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "/sys/fs/cgroup/pids/benchtop")) << warnings[0];
}

TEST(LimitWarnings, SaysWhenNoCgroupHierarchyIsMounted) {
  const auto warnings = unenforced_limit_warnings(HostLimitProbe{});
  ASSERT_EQ(warnings.size(), 3u);
  for (const auto& warning : warnings) {
    EXPECT_TRUE(mentions(warning, "no cgroup hierarchy is mounted")) << warning;
  }
}

TEST(LimitWarnings, PodmanLimitsAreItsOwn) {
  HostLimitProbe probe;
  probe.sandbox = "podman";
  EXPECT_TRUE(unenforced_limit_warnings(probe).empty());
}

TEST(LimitWarnings, NamesAnUnenforcedDiskCapAndWhy) {
  HostLimitProbe probe = pure_v2({"cpu", "memory", "pids"}, true);
  probe.disk_unenforced = "benchtop is not running as root";
  const auto warnings = unenforced_limit_warnings(probe);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(
      mentions(warnings[0], "workspace disk cap (--workspace-disk-mb) will not be enforced"))
      << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "not running as root")) << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "--workspace-disk-mb 0")) << warnings[0];
}

TEST(LimitWarnings, NoSandboxMeansNoNetworkIsolation) {
  HostLimitProbe probe = pure_v2({"cpu", "memory", "pids"}, true);
  probe.sandbox = "none";
  const auto warnings = unenforced_limit_warnings(probe);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(mentions(warnings[0], "network isolation will not be enforced")) << warnings[0];
  EXPECT_TRUE(mentions(warnings[0], "--sandbox bwrap")) << warnings[0];
}

TEST(ProbeHostLimits, FindsWhereGroupsCanBeCreated) {
  TempDir root;
  std::filesystem::create_directories(root.path() / "unified");
  CgroupHost host;
  host.unified = root.path() / "unified";
  host.unified_controllers = {"memory"};
  host.v1["pids"] = root.path() / "missing";
  const HostLimitProbe probe = probe_host_limits("bwrap", host, "benchtop", std::nullopt);
  EXPECT_TRUE(probe.unified_writable);
  EXPECT_TRUE(probe.v1_writable.empty());
  EXPECT_EQ(probe.cgroups.unified_controllers, host.unified_controllers);
}

TEST(UnlimitedDisk, OnlyARequestedCapIsReportedAsUnenforced) {
  EXPECT_FALSE(make_workspace_disk("/nonexistent", 0)->unenforced_cap());
  EXPECT_EQ(UnlimitedDisk("no loop devices", true).unenforced_cap(), "no loop devices");
}

}  // namespace
}  // namespace benchtop::testing
