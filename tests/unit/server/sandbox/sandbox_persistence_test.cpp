// One long-lived sandbox per project: its processes share localhost and /tmp, its home directory
// outlives the sandbox, another project reaches none of it, and a second server on the same data
// directory uses the same sandbox without disturbing the first.
#include <signal.h>
#include <sys/socket.h>

#include <future>

#include "tests/support/sandbox_test_support.h"

namespace benchtop::testing {
namespace {

using SandboxPersistenceTest = SandboxFixture;

// A free port on this host's loopback; the sandbox has its own loopback, where it is free too.
int free_port() {
  static int next = 20000 + static_cast<int>(::getpid() % 20000);
  return next++;
}

// The output of a background process so far.
std::string output_of(ContainerManager& manager, const std::string& project,
                      const std::string& id) {
  auto read = manager.read_process(project, id, 0, std::nullopt, 64 * 1024);
  return read.ok() ? read->data : "error: " + read.error().message;
}

TEST_F(SandboxPersistenceTest, ADevServerAnswersCommandsOfItsProjectOnly) {
  const std::string port = std::to_string(free_port());
  auto server = manager_->start_process(
      "alpha", {"exec python3 -u -m http.server " + port + " --bind 127.0.0.1", "", {}});
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_TRUE(eventually([&] {
    return output_of(*manager_, "alpha", server->id).find("Serving HTTP") != std::string::npos;
  })) << output_of(*manager_, "alpha", server->id);

  const std::string fetch =
      "python3 -c \"import urllib.request as r; print(r.urlopen("
      "'http://127.0.0.1:" +
      port + "/', timeout=5).status)\"";
  auto same_project = exec("alpha", fetch);
  EXPECT_EQ(same_project.stdout_text, "200\n") << same_project.stderr_text;

  // benchtop itself reaches the server through the sandbox (what a preview proxies through).
  auto connection = manager_->connect_port("alpha", std::stoi(port));
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  ASSERT_EQ(::write(connection->get(), request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  char answer[12] = {};
  ASSERT_EQ(::recv(connection->get(), answer, sizeof answer, MSG_WAITALL), 12);
  EXPECT_EQ(std::string(answer, 12), "HTTP/1.0 200");

  ASSERT_TRUE(projects_->create("beta", "").ok());
  auto other_project = exec("beta", fetch);
  EXPECT_NE(other_project.exit_code, 0);
  EXPECT_NE(other_project.stderr_text.find("Connection refused"), std::string::npos)
      << other_project.stderr_text;
  // Nor does a connection made in the other project's sandbox (it is running now) reach it.
  auto foreign = manager_->connect_port("beta", std::stoi(port));
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("refused"), std::string::npos) << foreign.error().message;
}

TEST_F(SandboxPersistenceTest, PythonOutputIsNotHeldBackByItsBuffer) {
  // No -u: the environment asks for unbuffered output, so the line shows while the process runs.
  auto talker = manager_->start_process(
      "alpha",
      {"exec python3 -c \"print('up and listening'); import time; time.sleep(600)\"", "", {}});
  ASSERT_TRUE(talker.ok()) << talker.error().message;
  EXPECT_TRUE(eventually([&] {
    return output_of(*manager_, "alpha", talker->id).find("up and listening") != std::string::npos;
  })) << output_of(*manager_, "alpha", talker->id);
  EXPECT_TRUE(manager_->kill_process("alpha", talker->id, 9).ok());
}

TEST_F(SandboxPersistenceTest, TmpLastsBetweenCommandsAndHomeOutlivesTheSandbox) {
  ASSERT_EQ(exec("alpha",
                 "echo kept > /tmp/note; mkdir -p ~/.local/bin; "
                 "printf '#!/bin/sh\\necho tool ran\\n' > ~/.local/bin/tool; "
                 "chmod +x ~/.local/bin/tool; echo done")
                .stdout_text,
            "done\n");
  EXPECT_EQ(exec("alpha", "cat /tmp/note").stdout_text, "kept\n");
  EXPECT_EQ(exec("alpha", "echo $HOME; ~/.local/bin/tool").stdout_text, "/home/dev\ntool ran\n");

  // Destroying the sandbox ends /tmp with it; the home directory (user-level installs) stays.
  ASSERT_TRUE(manager_->destroy("alpha").ok());
  EXPECT_EQ(exec("alpha", "cat /tmp/note 2>/dev/null || echo gone; ~/.local/bin/tool").stdout_text,
            "gone\ntool ran\n");
  // Another project has a home of its own.
  ASSERT_TRUE(projects_->create("beta", "").ok());
  EXPECT_EQ(exec("beta", "ls -A ~ | wc -l").stdout_text, "0\n");

  // Deleting the project removes its home with it.
  const auto state = temp_ / "sandboxes" / alpha_.id;
  ASSERT_TRUE(std::filesystem::exists(state / "home" / ".local"));
  ASSERT_TRUE(manager_->remove(alpha_.id).ok());
  EXPECT_FALSE(std::filesystem::exists(state));
}

TEST_F(SandboxPersistenceTest, TwoServersOnOneDataDirectoryShareTheSandbox) {
  // A second manager over the same store and state directory stands for a second benchtop.
  ContainerManager second(*repositories_.containers,
                          std::make_unique<BwrapBackend>(CgroupHost::detect(), "benchtop-test",
                                                         BwrapOptions{}, supervised_options()),
                          project_resolver(*projects_), options_);
  ASSERT_TRUE(second.reconcile().ok());

  auto process = manager_->start_process("alpha", {"echo started; exec sleep 987631", "", {}});
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto listed = second.list_processes("alpha");
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, process->id);
  EXPECT_TRUE(eventually([&] { return output_of(second, "alpha", process->id) == "started\n"; }));
  ExecRequest look;
  look.command = "pgrep -x sleep >/dev/null && echo seen";
  auto seen = second.run("alpha", look, CancellationToken());
  ASSERT_TRUE(seen.ok()) << seen.error().message;
  EXPECT_EQ(seen->stdout_text, "seen\n");

  // The first server going away (and a third starting) leaves the process alone.
  manager_.reset();
  ContainerManager third(*repositories_.containers,
                         std::make_unique<BwrapBackend>(CgroupHost::detect(), "benchtop-test",
                                                        BwrapOptions{}, supervised_options()),
                         project_resolver(*projects_), options_);
  ASSERT_TRUE(third.reconcile().ok());
  listed = second.list_processes("alpha");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(listed->front().running);

  auto killed = third.kill_process("alpha", process->id, SIGKILL);
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  EXPECT_FALSE(killed->running);
  EXPECT_TRUE(eventually([] { return processes_matching("sleep 987631").empty(); }));
  (void)second.destroy("alpha");
}

TEST_F(SandboxPersistenceTest, ASandboxAnotherServerDestroyedIsMadeAgain) {
  ContainerManager second(*repositories_.containers,
                          std::make_unique<BwrapBackend>(CgroupHost::detect(), "benchtop-test",
                                                         BwrapOptions{}, supervised_options()),
                          project_resolver(*projects_), options_);
  ExecRequest request;
  request.command = "echo first";
  ASSERT_TRUE(second.run("alpha", request, CancellationToken()).ok());
  ASSERT_TRUE(manager_->destroy("alpha").ok());
  // The second server still thinks the sandbox runs: its next command and process find out.
  request.command = "echo again";
  auto again = second.run("alpha", request, CancellationToken());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->stdout_text, "again\n");
  ASSERT_TRUE(manager_->destroy("alpha").ok());
  auto process = second.start_process("alpha", {"exec sleep 987661", "", {}});
  ASSERT_TRUE(process.ok()) << process.error().message;
  (void)second.destroy("alpha");
}

// A supervisor is created straight inside its project's cgroup (clone3 CLONE_INTO_CGROUP), and
// some kernels kill at birth every process created that way in a group once killed through
// cgroup.kill: the start then falls back to joining the group after an ordinary fork.
TEST_F(SandboxPersistenceTest, ASandboxWhoseGroupWasKilledBeforeStartsAgain) {
  const CgroupHost host = CgroupHost::detect();
  if (!host.unified) GTEST_SKIP() << "no unified cgroup hierarchy here";
  const auto kill_file = *host.unified / "benchtop-test" / alpha_.id / "cgroup.kill";
  ExecRequest request;
  request.command = "echo first";
  ASSERT_TRUE(manager_->run("alpha", request, CancellationToken()).ok());
  if (!std::filesystem::exists(kill_file)) GTEST_SKIP() << "no cgroup.kill here";
  // Through cgroup.kill, and only once every process of the sandbox is gone.
  ASSERT_TRUE(ProjectCgroup::existing(host, "benchtop-test", alpha_.id).kill_all().ok());
  request.command = "echo again";
  auto again = manager_->run("alpha", request, CancellationToken());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->stdout_text, "again\n");
}

TEST_F(SandboxPersistenceTest, IdleHereIsNotIdleEverywhere) {
  ContainerManager second(*repositories_.containers,
                          std::make_unique<BwrapBackend>(CgroupHost::detect(), "benchtop-test",
                                                         BwrapOptions{}, supervised_options()),
                          project_resolver(*projects_), options_);
  ASSERT_EQ(exec("alpha", "true").exit_code, 0);
  ExecRequest look;
  look.command = "true";
  ASSERT_TRUE(second.run("alpha", look, CancellationToken()).ok());

  // The first server runs a long command; the second has been idle and would suspend.
  CancellationSource cancel;
  auto running = std::async(std::launch::async, [&] {
    ExecRequest request;
    request.command = "exec sleep 987651";
    return manager_->run("alpha", request, cancel.token());
  });
  ASSERT_TRUE(eventually([] { return !processes_matching("sleep 987651").empty(); }));
  EXPECT_EQ(second.suspend_idle(std::chrono::seconds(0)), 0u);
  auto status = second.status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->backend_status.frozen);
  cancel.cancel();
  auto ended = running.get();
  ASSERT_TRUE(ended.ok());
  EXPECT_TRUE(ended->cancelled);
  // Once nothing runs, idleness is judged by the last request from any server.
  EXPECT_EQ(second.suspend_idle(std::chrono::seconds(0)), 1u);
}

}  // namespace
}  // namespace benchtop::testing
