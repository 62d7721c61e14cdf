// The cgroup code on fake cgroup file systems laid out as a pure v2, a pure v1 and a hybrid host
// (v1 controllers beside an empty unified mount), so every path is tested whatever this machine
// has. The fakes hold the control files the kernel would create; the tests read back what
// benchtop wrote where, and what it claims to enforce.
#include <gtest/gtest.h>

#include <algorithm>

#include "server/sandbox/linux/cgroup.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kParent = "benchtop";
constexpr const char* kGroup = "p1";

void files(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& entries) {
  fs::create_directories(dir);
  for (const auto& [name, content] : entries) write_file(dir / name, content);
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string trimmed(const fs::path& path) {
  std::string text = read_file(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The unified hierarchy's files at `root` (its root) and for the project group. Files benchtop
// writes start empty: a kernel control file takes each write whole, a plain file does not.
void unified_layout(const fs::path& root, const std::string& controllers) {
  files(root, {{"cgroup.controllers", controllers + "\n"}, {"cgroup.subtree_control", ""}});
  files(root / kParent, {{"cgroup.subtree_control", ""}});
  std::vector<std::pair<std::string, std::string>> group = {
      {"cgroup.procs", ""},
      {"cgroup.freeze", "0\n"},
      {"cgroup.kill", ""},
      {"cgroup.events", "populated 0\nfrozen 0\n"},
      {"cpu.stat", "usage_usec 5000\nuser_usec 3000\n"}};
  if (controllers.find("memory") != std::string::npos) {
    group.insert(group.end(),
                 {{"memory.max", ""}, {"memory.swap.max", ""}, {"memory.current", "1048576\n"}});
  }
  if (controllers.find("pids") != std::string::npos) {
    group.insert(group.end(), {{"pids.max", ""}, {"pids.current", "3\n"}});
  }
  if (controllers.find("cpu") != std::string::npos) group.push_back({"cpu.max", ""});
  files(root / kParent / kGroup, group);
}

void v1_layout(const fs::path& root) {
  files(root / "memory", {{"memory.limit_in_bytes", ""}});
  files(root / "memory" / kParent / kGroup, {{"memory.limit_in_bytes", ""},
                                             {"memory.memsw.limit_in_bytes", ""},
                                             {"memory.usage_in_bytes", "2097152\n"},
                                             {"cgroup.procs", ""},
                                             {"tasks", ""}});
  files(root / "pids", {{"cgroup.procs", ""}});
  files(root / "pids" / kParent / kGroup,
        {{"pids.max", ""}, {"pids.current", "4\n"}, {"cgroup.procs", ""}, {"tasks", ""}});
  files(root / "cpu", {{"cpu.cfs_quota_us", ""}});
  files(root / "cpu" / kParent / kGroup,
        {{"cpu.cfs_period_us", ""}, {"cpu.cfs_quota_us", ""}, {"cgroup.procs", ""}, {"tasks", ""}});
  files(root / "cpuacct", {{"cpuacct.usage", ""}});
  files(root / "cpuacct" / kParent / kGroup,
        {{"cpuacct.usage", "7000000\n"}, {"cgroup.procs", ""}, {"tasks", ""}});
  files(root / "freezer", {{"cgroup.procs", ""}});
  files(root / "freezer" / kParent / kGroup,
        {{"freezer.state", "THAWED\n"}, {"cgroup.procs", ""}, {"tasks", ""}});
}

ContainerLimits limits() {
  ContainerLimits limits;
  limits.memory_bytes = 512LL * 1024 * 1024;
  limits.pids = 64;
  limits.cpu_millis = 500;
  return limits;
}

TEST(CgroupLayoutTest, PureV2UsesTheUnifiedFilesForEverything) {
  TempDir root;
  unified_layout(root.path(), "cpu memory pids");
  const CgroupHost host = CgroupHost::detect(root.path());
  EXPECT_EQ(host.describe(), "v2");
  ProjectCgroup group = ProjectCgroup::open(host, kParent, kGroup, limits());
  const fs::path dir = root.path() / kParent / kGroup;
  EXPECT_EQ(trimmed(dir / "memory.max"), "536870912");
  EXPECT_EQ(trimmed(dir / "memory.swap.max"), "0") << "no swap: a hog is stopped, not swapped";
  EXPECT_EQ(trimmed(dir / "pids.max"), "64");
  EXPECT_EQ(trimmed(dir / "cpu.max"), "50000 100000");
  for (const char* item : {"memory", "pids", "cpu", "freeze", "tree-kill"}) {
    EXPECT_TRUE(has(group.enforced(), item)) << item;
  }
  EXPECT_EQ(read_file(root.path() / kParent / "cgroup.subtree_control").rfind("+", 0), 0u)
      << "controllers are delegated down to the group";
  const ContainerUsage usage = group.usage();
  EXPECT_EQ(usage.memory_bytes, 1048576);
  EXPECT_EQ(usage.pids, 3);
  EXPECT_EQ(usage.cpu_usec, 5000);
  EXPECT_EQ(group.join_fds().size(), 1u);
  EXPECT_FALSE(group.frozen());
  write_file(dir / "cgroup.events", "populated 1\nfrozen 1\n");
  EXPECT_TRUE(group.frozen());
}

TEST(CgroupLayoutTest, PureV1UsesEachControllersHierarchy) {
  TempDir root;
  v1_layout(root.path());
  const CgroupHost host = CgroupHost::detect(root.path());
  EXPECT_EQ(host.describe(), "v1");
  ProjectCgroup group = ProjectCgroup::open(host, kParent, kGroup, limits());
  const fs::path base = root.path();
  EXPECT_EQ(trimmed(base / "memory" / kParent / kGroup / "memory.limit_in_bytes"), "536870912");
  EXPECT_EQ(trimmed(base / "memory" / kParent / kGroup / "memory.memsw.limit_in_bytes"),
            "536870912");
  EXPECT_EQ(trimmed(base / "pids" / kParent / kGroup / "pids.max"), "64");
  EXPECT_EQ(trimmed(base / "cpu" / kParent / kGroup / "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(trimmed(base / "cpu" / kParent / kGroup / "cpu.cfs_quota_us"), "50000");
  for (const char* item : {"memory", "pids", "cpu", "freeze", "tree-kill"}) {
    EXPECT_TRUE(has(group.enforced(), item)) << item;
  }
  const ContainerUsage usage = group.usage();
  EXPECT_EQ(usage.memory_bytes, 2097152);
  EXPECT_EQ(usage.pids, 4);
  EXPECT_EQ(usage.cpu_usec, 7000) << "cpuacct.usage is in nanoseconds";
  EXPECT_EQ(group.join_fds().size(), 5u) << "a process joins every hierarchy the group uses";
  EXPECT_FALSE(group.frozen());
  write_file(base / "freezer" / kParent / kGroup / "freezer.state", "FROZEN\n");
  EXPECT_TRUE(group.frozen());
}

// Like the CI machines: v1 controllers, and a unified mount that has none of them.
TEST(CgroupLayoutTest, HybridTakesLimitsFromV1AndFreezeAndKillFromV2) {
  TempDir root;
  v1_layout(root.path());
  unified_layout(root.path() / "unified", "");
  const CgroupHost host = CgroupHost::detect(root.path());
  EXPECT_EQ(host.describe(), "hybrid");
  ProjectCgroup group = ProjectCgroup::open(host, kParent, kGroup, limits());
  EXPECT_EQ(trimmed(root.path() / "memory" / kParent / kGroup / "memory.limit_in_bytes"),
            "536870912");
  EXPECT_EQ(trimmed(root.path() / "cpu" / kParent / kGroup / "cpu.cfs_quota_us"), "50000");
  for (const char* item : {"memory", "pids", "cpu", "freeze", "tree-kill"}) {
    EXPECT_TRUE(has(group.enforced(), item)) << item;
  }
  // Freezing goes through the unified group, so the v1 freezer and cpuacct groups are not used.
  EXPECT_EQ(group.join_fds().size(), 4u) << "unified + memory + pids + cpu";
  // A new process is created in the unified group (a directory fd for clone3, its cgroup.procs
  // should the kernel refuse) and joins each v1 hierarchy through `tasks`, never cgroup.procs.
  const ProjectCgroup::Birthplace place = group.birthplace();
  EXPECT_TRUE(place.unified_dir.valid());
  EXPECT_TRUE(place.unified_procs.valid());
  EXPECT_EQ(place.v1_tasks.size(), 3u);
  EXPECT_EQ(group.usage().cpu_usec, 5000) << "CPU time from the unified cpu.stat";
}

TEST(CgroupLayoutTest, WithoutCgroupsNothingIsClaimed) {
  TempDir root;
  const CgroupHost host = CgroupHost::detect(root.path());
  EXPECT_EQ(host.describe(), "none");
  ProjectCgroup group = ProjectCgroup::open(host, kParent, kGroup, limits());
  EXPECT_TRUE(group.enforced().empty());
  bool explained = false;
  for (const auto& note : group.notes()) {
    explained = explained || note.find("memory limit not enforced") != std::string::npos;
  }
  EXPECT_TRUE(explained);
}

}  // namespace
}  // namespace benchtop::testing
