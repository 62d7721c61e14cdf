// The sandbox's pure parts, without starting a container: bounded output stores, cwd checks,
// the bubblewrap command line, backend selection and the admin kill-switch endpoint.
#include <gtest/gtest.h>

#include <algorithm>

#include "server/process/output_buffers.h"
#include "server/sandbox/backends/backend_factory.h"
#include "server/sandbox/backends/bwrap_backend.h"
#include "server/sandbox/backends/podman_backend.h"
#include "server/sandbox/linux/seccomp_filter.h"
#include "server/web/admin_exec.h"
#include "tests/support/sandbox_test_support.h"

namespace benchtop::testing {
namespace {

TEST(HeadTailCaptureTest, KeepsEverythingUnderTheLimit) {
  HeadTailCapture capture(100);
  capture.append("hello ");
  capture.append("world");
  EXPECT_EQ(capture.text(), "hello world");
  EXPECT_EQ(capture.elided(), 0u);
}

TEST(HeadTailCaptureTest, KeepsHeadAndTailAndCountsTheMiddle) {
  HeadTailCapture capture(10);
  capture.append("AAAAA");
  for (int i = 0; i < 1000; ++i) capture.append("m");
  capture.append("ZZZZZ");
  EXPECT_EQ(capture.elided(), 1000u);
  EXPECT_EQ(capture.text(), "AAAAA\n[... 1000 bytes elided ...]\nZZZZZ");
}

TEST(OutputRingTest, ReadsSinceAnOffsetAndReportsDroppedBytes) {
  OutputRing ring(8);
  ring.append("0123");
  auto first = ring.since(0);
  EXPECT_EQ(first.data, "0123");
  EXPECT_EQ(first.next, 4u);
  ring.append("456789AB");  // 12 bytes in all; the ring keeps the last 8
  auto next = ring.since(first.next);
  EXPECT_EQ(next.data, "456789AB");
  EXPECT_EQ(next.dropped, 0u);
  auto old = ring.since(0);
  EXPECT_EQ(old.dropped, 4u);
  EXPECT_EQ(old.start, 4u);
  EXPECT_EQ(ring.tail(3).data, "9AB");
  EXPECT_EQ(ring.since(100).data, "");
  ring.append(std::string(20, 'x'));
  EXPECT_EQ(ring.since(0).data, std::string(8, 'x'));
  EXPECT_EQ(ring.total(), 32u);
}

TEST(SandboxCwdTest, RefusesEscapes) {
  EXPECT_EQ(*normal_relative_cwd("a/./b/"), "a/b");
  EXPECT_EQ(*normal_relative_cwd(""), "");
  EXPECT_FALSE(normal_relative_cwd("../x").ok());
  EXPECT_FALSE(normal_relative_cwd("a/../../x").ok());
  EXPECT_FALSE(normal_relative_cwd("/etc").ok());
}

TEST(BwrapCommandLineTest, HasTheIsolationFlagsAndRemountsRootLast) {
  BwrapBackend backend(CgroupHost{}, "t");
  ContainerSpec spec;
  spec.workspace = "/srv/ws";
  auto argv = backend.argv_for(spec, {kSupervisorInside, "--listen-fd", "3"});
  auto has = [&](const std::string& word) {
    return std::find(argv.begin(), argv.end(), word) != argv.end();
  };
  for (const char* flag :
       {"--unshare-all", "--unshare-user", "--disable-userns", "--assert-userns-disabled",
        "--new-session", "--clearenv", "--cap-drop", "--remount-ro"}) {
    EXPECT_TRUE(has(flag)) << flag;
  }
  // The sandbox outlives the server that made it: nothing ties it to its parent.
  EXPECT_FALSE(has("--die-with-parent"));
  EXPECT_FALSE(has("--share-net"));
  EXPECT_TRUE(has("BENCHTOP_PROJECT"));
  const auto remount = std::find(argv.begin(), argv.end(), "--remount-ro");
  const auto last_bind = std::find(argv.rbegin(), argv.rend(), "--bind");
  EXPECT_LT(std::distance(argv.begin(), last_bind.base()), std::distance(argv.begin(), remount));
  EXPECT_EQ(argv.back(), "3");
  EXPECT_EQ(*(std::find(argv.begin(), argv.end(), "--") + 1), kSupervisorInside);

  EXPECT_FALSE(has("--seccomp"));

  // Network comes only through user-mode networking (sandbox_network_test.cpp), never by sharing
  // the host's namespace.
  spec.network = true;
  argv = backend.argv_for(spec, {"/bin/true"}, 9);
  EXPECT_FALSE(has("--share-net"));
  const auto seccomp = std::find(argv.begin(), argv.end(), "--seccomp");
  ASSERT_NE(seccomp, argv.end());
  EXPECT_EQ(*(seccomp + 1), "9");
  EXPECT_LT(seccomp, std::find(argv.begin(), argv.end(), "--"));
}

TEST(SupervisedBackendTest, StartsNoSandboxWithoutAStateDirectory) {
  // A backend made only for its command lines has nowhere to keep a sandbox's socket and home,
  // and takes no shared directory such as /tmp instead.
  NoneBackend backend(CgroupHost{}, "t", SupervisedOptions{});
  ContainerSpec spec;
  spec.project_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  spec.workspace = "/srv/ws";
  auto ensured = backend.ensure(spec);
  ASSERT_FALSE(ensured.ok());
  EXPECT_EQ(ensured.error().code, "unavailable");
  EXPECT_NE(ensured.error().message.find("no directory for sandbox state"), std::string::npos);
  EXPECT_FALSE(backend.adopt(spec).ok());
  EXPECT_TRUE(backend.remove_state(spec).ok());
}

TEST(SandboxSeccompTest, ProgramIsWholeBpfInstructions) {
  auto program = sandbox_seccomp_program();
  ASSERT_TRUE(program.ok()) << program.error().message;
  EXPECT_GT(program->size(), 8u * 40);  // a rule or more for each denied call
  EXPECT_EQ(program->size() % 8, 0u);   // struct sock_filter is 8 bytes
  auto fd = memfd_holding("test", *program);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  std::string back(program->size() + 1, '\0');
  EXPECT_EQ(::read(fd->get(), back.data(), back.size()), static_cast<ssize_t>(program->size()));
  EXPECT_EQ(::write(fd->get(), "x", 1), -1) << "sealed";
}

TEST(BackendFactoryTest, NoneNeedsAnExplicitFlag) {
  auto refused = make_container_backend("none", false, "benchtop-test");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("--allow-unsandboxed"), std::string::npos);
  auto accepted = make_container_backend("none", true, "benchtop-test");
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ((*accepted)->name(), "none");
  EXPECT_FALSE(make_container_backend("docker", true, "benchtop-test").ok());
}

TEST(PodmanBackendTest, RunLineIsolatesAndPutsOptionsBeforeTheRootfs) {
  PodmanOptions options;
  options.image = "/srv/rootfs";
  PodmanBackend backend(options);
  ContainerSpec spec;
  spec.project_id = "p1";
  spec.workspace = "/srv/ws";
  auto argv = backend.run_argv(spec);
  const auto at = [&](const std::string& word) {
    return std::distance(argv.begin(), std::find(argv.begin(), argv.end(), word));
  };
  EXPECT_EQ(argv[at("--network") + 1], "none");
  EXPECT_EQ(argv[at("--pids-limit") + 1], "256");
  EXPECT_EQ(argv[at("--rootfs") + 1], "/srv/rootfs");
  EXPECT_LT(at("--memory"), at("--rootfs"));
  EXPECT_EQ(argv[at("-v") + 1], "/srv/ws:/workspace:rw");
  EXPECT_EQ(argv.back(), "infinity");
  EXPECT_EQ(PodmanBackend::container_name(spec), "benchtop-p1");
}

TEST(PodmanBackendTest, UnavailableWithoutPodmanOrImage) {
  PodmanOptions options;
  options.podman = "/nonexistent/podman";
  options.image = "debian";
  EXPECT_FALSE(PodmanBackend::available(options).ok());
  options.podman = "/bin/true";
  options.image.clear();
  EXPECT_FALSE(PodmanBackend::available(options).ok());
}

using NoneBackendTest = SandboxFixture;

TEST_F(NoneBackendTest, RunsInTheWorkspaceOnTheHost) {
  ContainerManager unsandboxed(
      *repositories_.containers,
      std::make_unique<NoneBackend>(CgroupHost::detect(), "benchtop-test", supervised_options()),
      project_resolver(*projects_), options_);
  ExecRequest request;
  request.command = "pwd; echo $BENCHTOP_PROJECT";
  auto result = unsandboxed.run("alpha", request, CancellationToken());
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->stdout_text, alpha_.root.string() + "\nalpha\n");
  auto status = unsandboxed.status("alpha");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->backend, "none");
  EXPECT_NE(status->backend_status.notes.front().find("NO ISOLATION"), std::string::npos);
  (void)unsandboxed.destroy("alpha");
}

class ExecAdminTest : public SandboxFixture {};

TEST_F(ExecAdminTest, NeedsTheAdminTokenAndFlipsTheSwitch) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/admin/exec";
  request.body = R"({"enabled": false})";
  EXPECT_EQ(handle_exec_admin(request, *manager_, "").status, 403);
  EXPECT_EQ(handle_exec_admin(request, *manager_, "s3cret").status, 401);
  request.headers.push_back({"X-Benchtop-Admin-Token", "wrong!"});
  EXPECT_EQ(handle_exec_admin(request, *manager_, "s3cret").status, 401);
  EXPECT_TRUE(manager_->exec_enabled());

  request.headers = {{"X-Benchtop-Admin-Token", "s3cret"}};
  auto response = handle_exec_admin(request, *manager_, "s3cret");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"enabled":false})");
  EXPECT_FALSE(manager_->exec_enabled());

  request.body = "nonsense";
  EXPECT_EQ(handle_exec_admin(request, *manager_, "s3cret").status, 400);
  request.method = "GET";
  request.body.clear();
  EXPECT_EQ(handle_exec_admin(request, *manager_, "s3cret").body, R"({"enabled":false})");
}

}  // namespace
}  // namespace benchtop::testing
