#include "server/sandbox/linux/confined_helper.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>

#include "server/sandbox/backends/bwrap_backend.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;

// Runs a shell script confined; its stdout, or the failure.
std::string run_script(ConfinedHelper& helper, const std::string& script,
                       const std::string& input = {}) {
  HelperRun run;
  run.argv = {"/bin/sh", "-c", script};
  run.stdin_data = input;
  run.timeout = 30s;
  auto ran = helper.run(std::move(run), CancellationToken());
  if (!ran) return "could not run: " + ran.error().message;
  return ran->stdout_text;
}

// The tests of what bubblewrap adds run where the sandboxes' own probe says it works; there the
// helper must use it, not fall back.
class ConfinedHelperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto usable = BwrapBackend::probe(); !usable) {
      GTEST_SKIP() << "bubblewrap cannot create namespaces here: " << usable.error().message;
    }
    ASSERT_NE(helper.describe().find("bubblewrap"), std::string::npos) << helper.describe();
  }

  ConfinedHelper helper;
};

TEST_F(ConfinedHelperTest, SeesOnlyUsrAndNoHostFiles) {
  // Readable by anyone on the host: only the helper's namespaces keep it out of reach.
  testing::TempDir secret;
  testing::write_file(secret / "key", "top secret\n");
  ::chmod(secret.path().c_str(), 0755);
  const std::string seen =
      run_script(helper, "ls -a /; cat " + (secret / "key").string() +
                             " /etc/passwd 2>&1; ls /proc /home /root /tmp /workspace 2>&1");
  EXPECT_EQ(seen.find("top secret"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("root:"), std::string::npos) << seen;
  EXPECT_NE(seen.find("usr"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("\nhome\n"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("\ntmp\n"), std::string::npos) << seen;
}

TEST_F(ConfinedHelperTest, CannotWriteAnywhere) {
  const std::string seen = run_script(
      helper, "(echo x > /usr/x) 2>&1 || echo no-usr; (echo x > /x) 2>&1 || echo no-root");
  EXPECT_NE(seen.find("no-usr"), std::string::npos) << seen;
  EXPECT_NE(seen.find("no-root"), std::string::npos) << seen;
}

TEST_F(ConfinedHelperTest, RunsWithLimitsAndNeverAsRoot) {
  const std::string seen = run_script(helper, "id -u; ulimit -f; ulimit -v; ulimit -c");
  std::istringstream lines(seen);
  std::string uid, file_size, memory, core;
  std::getline(lines, uid);
  std::getline(lines, file_size);
  std::getline(lines, memory);
  std::getline(lines, core);
  EXPECT_NE(uid, "0") << seen;
  EXPECT_EQ(file_size, "0") << seen;
  EXPECT_EQ(memory, std::to_string(1024 * 1024)) << seen;  // KiB
  EXPECT_EQ(core, "0") << seen;
}

TEST_F(ConfinedHelperTest, InputArrivesOnStdinAndOutputStreams) {
  HelperRun run;
  run.argv = {"/bin/cat"};
  run.stdin_data = std::string(300 * 1024, 'x');
  run.output_limit = 1024;
  size_t streamed = 0;
  auto ran = helper.run(std::move(run), CancellationToken(),
                        [&streamed](std::string_view stream, std::string_view bytes) {
                          if (stream == "stdout") streamed += bytes.size();
                        });
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(ran->exit_code, 0);
  EXPECT_EQ(streamed, 300u * 1024);
  EXPECT_GT(ran->stdout_elided_bytes, 0u);  // only the cap is kept
}

TEST_F(ConfinedHelperTest, TheTimeoutKillsIt) {
  HelperRun run;
  run.argv = {"/bin/sleep", "600"};
  run.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  auto ran = helper.run(std::move(run), CancellationToken());
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_TRUE(ran->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(ConfinedHelperDirectTest, WithoutNamespacesTheFilterIdentityAndLimitsStillApply) {
  ConfinedHelper helper({.use_bwrap = false});
  EXPECT_NE(helper.describe().find("no namespaces"), std::string::npos);
  const std::string seen =
      run_script(helper, "grep -E '^(Seccomp|NoNewPrivs|Uid):' /proc/self/status; ulimit -f");
  EXPECT_NE(seen.find("NoNewPrivs:\t1"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Seccomp:\t2"), std::string::npos) << seen;
  if (::geteuid() == 0) {
    EXPECT_NE(seen.find("Uid:\t" + std::to_string(kDefaultSandboxHostId)), std::string::npos)
        << seen;
  }
  EXPECT_NE(seen.find("\n0\n"), std::string::npos) << seen;
}

TEST(ConfinedHelperCommandLineTest, UnsharesEverythingAndBindsNoWorkspace) {
  ConfinedHelper helper;
  const auto argv = helper.bwrap_argv({"/usr/bin/ctags", "--x"}, 7);
  const std::string line = [&argv] {
    std::string joined;
    for (const auto& word : argv) joined += word + ' ';
    return joined;
  }();
  for (const char* option : {"--unshare-all ", "--die-with-parent ", "--clearenv ", "--seccomp 7 ",
                             "--cap-drop ALL ", "--remount-ro / "}) {
    EXPECT_NE(line.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(line.find("--bind "), std::string::npos) << line;
  EXPECT_EQ(line.find("--share-net"), std::string::npos) << line;
  EXPECT_EQ(argv.back(), "--x");
  // A program outside /usr is bound read-only, alone.
  const auto outside = helper.bwrap_argv({"/opt/tool/bin/parser"}, -1);
  EXPECT_NE(std::find(outside.begin(), outside.end(), "/opt/tool/bin/parser"), outside.end());
}

}  // namespace
}  // namespace benchtop
