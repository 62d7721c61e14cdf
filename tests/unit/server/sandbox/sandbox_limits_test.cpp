// Limits and tree kills on real sandboxes: pids and memory limits hold and stay within their
// project, output floods are capped, timeouts and cancellation end a whole tree (setsid
// grandchildren included) and leave no zombie.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <sstream>

#include "tests/support/sandbox_test_support.h"

namespace benchtop::testing {
namespace {

// Children of this test process that have exited but were never reaped.
int zombie_children() {
  int zombies = 0;
  DIR* dir = ::opendir("/proc");
  if (!dir) return 0;
  while (dirent* entry = ::readdir(dir)) {
    const int pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 1));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == ::getpid() && state == "Z") ++zombies;
  }
  ::closedir(dir);
  return zombies;
}

using SandboxLimitsTest = SandboxFixture;

TEST_F(SandboxLimitsTest, ForkBombStopsAtThePidsLimit) {
  ContainerSettings settings;
  settings.pids = 40;
  ASSERT_TRUE(manager_->ensure("alpha", settings).ok());
  auto info = manager_->status("alpha");
  ASSERT_TRUE(info.ok());
  const auto& enforced = info->backend_status.enforced;
  if (std::find(enforced.begin(), enforced.end(), "pids") == enforced.end()) {
    GTEST_SKIP() << "no pids controller usable on this host";
  }
  // The sandbox itself (its supervisor) counts too: the bomb's processes go, those stay.
  const int64_t idle = info->backend_status.usage.pids.value_or(0);
  // The script's own last step must not need a fork: once the bomb fills the pids limit, a plain
  // `sleep 1000` could not start, the shell would exit early and the call end before its deadline.
  // `exec` replaces the shell in place, so the call still runs when the deadline cuts it off.
  auto bomb = exec("alpha", "bomb() { bomb | bomb & }; bomb; exec sleep 1000",
                   std::chrono::milliseconds(3000));
  EXPECT_TRUE(bomb.timed_out);
  // The host (and the container, once the bomb is gone) still answers.
  auto after = exec("alpha", "echo alive");
  EXPECT_EQ(after.stdout_text, "alive\n");
  EXPECT_EQ(after.exit_code, 0);
  EXPECT_TRUE(eventually([&] {
    auto status = manager_->status("alpha");
    return status.ok() && status->backend_status.usage.pids.value_or(0) <= idle;
  }));
}

TEST_F(SandboxLimitsTest, MemoryHogIsKilledAndOnlyItsProjectIsAffected) {
  auto beta = projects_->create("beta", "");
  ASSERT_TRUE(beta.ok());
  auto neighbour = manager_->start_process("beta", {"echo ready; exec sleep 987601", "", {}});
  ASSERT_TRUE(neighbour.ok()) << neighbour.error().message;

  ContainerSettings settings;
  settings.memory_bytes = 64LL * 1024 * 1024;
  ASSERT_TRUE(manager_->ensure("alpha", settings).ok());
  auto info = manager_->status("alpha");
  ASSERT_TRUE(info.ok());
  const auto& enforced = info->backend_status.enforced;
  if (std::find(enforced.begin(), enforced.end(), "memory") == enforced.end()) {
    GTEST_SKIP() << "no memory controller usable on this host";
  }
  auto hog = exec("alpha", "awk 'BEGIN { s = \"x\"; while (1) s = s s }'");
  EXPECT_EQ(hog.signal, SIGKILL) << "exit " << hog.exit_code.value_or(-1) << " " << hog.stderr_text;
  EXPECT_FALSE(hog.timed_out);

  auto still = manager_->list_processes("beta");
  ASSERT_TRUE(still.ok());
  ASSERT_EQ(still->size(), 1u);
  EXPECT_EQ(still->front().id, neighbour->id);
  EXPECT_TRUE(still->front().running);
  EXPECT_EQ(exec("beta", "echo fine").stdout_text, "fine\n");
  EXPECT_EQ(exec("alpha", "echo recovered").stdout_text, "recovered\n");
}

// Peak resident memory of this process so far, in KiB.
long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

TEST_F(SandboxLimitsTest, OutputFloodIsCappedWithHeadAndTail) {
  const long peak_before = peak_rss_kib();
  ExecRequest request;
  request.command = "echo FIRST; head -c 50000000 /dev/zero | tr '\\0' x; echo; echo LAST";
  request.output_limit = 8 * 1024;
  size_t streamed = 0;
  auto result =
      manager_->run("alpha", request, CancellationToken(),
                    [&](std::string_view, std::string_view bytes) { streamed += bytes.size(); });
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->stdout_text.rfind("FIRST\n", 0), 0u);
  EXPECT_NE(result->stdout_text.find("LAST\n"), std::string::npos);
  EXPECT_NE(result->stdout_text.find("bytes elided"), std::string::npos);
  EXPECT_LT(result->stdout_text.size(), 9 * 1024u);
  EXPECT_GT(result->stdout_elided_bytes, 49'000'000u);
  EXPECT_GT(streamed, 50'000'000u);
  // 50 MB went through; the server kept two 8 KiB captures and a read buffer.
  EXPECT_LT(peak_rss_kib() - peak_before, 16 * 1024);
}

TEST_F(SandboxLimitsTest, TimeoutKillsTheTreeIncludingSetsidGrandchildren) {
  auto result =
      exec("alpha", "setsid sh -c 'sleep 987602' & sleep 987603", std::chrono::milliseconds(500));
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.exit_code.has_value());
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_LT(result.duration.count(), 5000);
  EXPECT_TRUE(eventually([] {
    return processes_matching("sleep 987602").empty() && processes_matching("sleep 987603").empty();
  }));
  EXPECT_EQ(zombie_children(), 0);
}

TEST_F(SandboxLimitsTest, CancellationKillsTheTreeIncludingSetsidGrandchildren) {
  CancellationSource source;
  ExecRequest request;
  request.command = "setsid sh -c 'sleep 987604' & echo started; sleep 987605";
  std::promise<void> started;
  bool signalled = false;
  auto future = std::async(std::launch::async, [&] {
    return manager_->run("alpha", request, source.token(),
                         [&](std::string_view, std::string_view bytes) {
                           if (!signalled && bytes.find("started") != std::string_view::npos) {
                             signalled = true;
                             started.set_value();
                           }
                         });
  });
  ASSERT_EQ(started.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  source.cancel();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto result = future.get();
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_TRUE(eventually([] {
    return processes_matching("sleep 987604").empty() && processes_matching("sleep 987605").empty();
  }));
  EXPECT_EQ(zombie_children(), 0);
}

TEST_F(SandboxLimitsTest, SuspendFreezesACounterAndResumeContinuesIt) {
  auto counter = alpha_.root / "counter";
  auto process = manager_->start_process(
      "alpha", {"i=0; while true; do i=$((i+1)); echo $i > counter.tmp; mv counter.tmp counter; "
                "done",
                "",
                {}});
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto value = [&] {
    auto text = read_file(counter);
    return text.empty() ? 0 : std::stoi(text);
  };
  ASSERT_TRUE(eventually([&] { return value() > 10; }));

  auto suspended = manager_->suspend("alpha");
  ASSERT_TRUE(suspended.ok()) << suspended.error().message;
  EXPECT_EQ(suspended->state, ContainerState::kSuspended);
  EXPECT_TRUE(suspended->backend_status.frozen);
  const int frozen_at = value();
  // An observation window, not synchronisation: a running loop advances thousands of times in it.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(value(), frozen_at);

  auto resumed = manager_->resume("alpha");
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(resumed->state, ContainerState::kRunning);
  EXPECT_TRUE(eventually([&] { return value() > frozen_at; }));
}

TEST_F(SandboxLimitsTest, IdleContainersAreSuspendedAndTheNextCommandResumesThem) {
  ASSERT_EQ(exec("alpha", "echo one").stdout_text, "one\n");
  EXPECT_EQ(manager_->suspend_idle(std::chrono::seconds(0)), 1u);
  auto status = manager_->status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, ContainerState::kSuspended);
  EXPECT_EQ(exec("alpha", "echo two").stdout_text, "two\n");
  status = manager_->status("alpha");
  EXPECT_EQ(status->state, ContainerState::kRunning);
}

TEST_F(SandboxLimitsTest, BackgroundProcessOutputStdinAndKill) {
  auto process = manager_->start_process(
      "alpha", {"echo hello; while read line; do echo got:$line; done", "", {}});
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto output_from = [&](uint64_t since) {
    auto read = manager_->read_process("alpha", process->id, since, std::nullopt, 4096);
    return read.ok() ? read->data : std::string("error: ") + read.error().message;
  };
  ASSERT_TRUE(eventually([&] { return output_from(0) == "hello\n"; })) << output_from(0);
  ASSERT_TRUE(manager_->write_process("alpha", process->id, "ping\n").ok());
  ASSERT_TRUE(eventually([&] { return output_from(6) == "got:ping\n"; })) << output_from(6);
  auto listed = manager_->list_processes("alpha");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  // Ids belong to their project: another project does not find this one.
  ASSERT_TRUE(projects_->create("beta", "").ok());
  auto foreign = manager_->read_process("beta", process->id, 0, std::nullopt, 4096);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, "not_found");
  EXPECT_FALSE(manager_->kill_process("beta", process->id, SIGKILL).ok());
  auto killed = manager_->kill_process("alpha", process->id, SIGTERM);
  ASSERT_TRUE(killed.ok());
  auto ended = [&] {
    auto list = manager_->list_processes("alpha");
    return list.ok() && list->size() == 1 && !list->front().running;
  };
  ASSERT_TRUE(eventually(ended));
  EXPECT_EQ(manager_->list_processes("alpha")->front().signal, SIGTERM);
}

TEST_F(SandboxLimitsTest, ARestartAdoptsTheLiveSandboxAndCleansUpADeadOne) {
  ASSERT_EQ(exec("alpha", "echo up > /tmp/mark; echo up").stdout_text, "up\n");
  auto process = manager_->start_process("alpha", {"exec sleep 987606", "", {}});
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto restart = [&] {
    manager_ = std::make_unique<ContainerManager>(
        *repositories_.containers,
        std::make_unique<BwrapBackend>(CgroupHost::detect(), "benchtop-test", BwrapOptions{},
                                       supervised_options()),
        project_resolver(*projects_), options_);
    return manager_->reconcile();
  };

  // The server stops; the sandbox does not, and the next server uses it as it is.
  manager_.reset();
  auto adopted = restart();
  ASSERT_TRUE(adopted.ok());
  EXPECT_EQ(*adopted, 0u);
  auto listed = manager_->list_processes("alpha");
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(listed->front().running);
  EXPECT_EQ(exec("alpha", "cat /tmp/mark").stdout_text, "up\n");

  // A sandbox whose supervisor died, with a stray left in its cgroup: the next start cleans up.
  auto group = ProjectCgroup::existing(CgroupHost::detect(), "benchtop-test", alpha_.id);
  auto join = group.join_fds();
  ASSERT_FALSE(join.empty());
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", "setsid sleep 987607 >/dev/null 2>&1 &"};
  for (const auto& fd : join) options.cgroup_procs_fds.push_back(fd.get());
  auto planter = SpawnedProcess::spawn(options);
  ASSERT_TRUE(planter.ok());
  planter->wait();
  ASSERT_TRUE(eventually([] { return !processes_matching("sleep 987607").empty(); }));
  pid_t supervisor = -1;
  for (int pid : group.pids()) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.rfind(kSupervisorInside, 0) == 0) supervisor = pid;
  }
  ASSERT_GT(supervisor, 0);
  manager_.reset();
  ASSERT_EQ(::kill(supervisor, SIGKILL), 0);
  auto fixed = restart();
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(*fixed, 1u);
  auto status = manager_->status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, ContainerState::kStopped);
  EXPECT_TRUE(eventually([] { return processes_matching("sleep 987607").empty(); }));
  EXPECT_TRUE(eventually([] { return processes_matching("sleep 987606").empty(); }));
  EXPECT_EQ(exec("alpha", "echo again").stdout_text, "again\n");
}

}  // namespace
}  // namespace benchtop::testing
