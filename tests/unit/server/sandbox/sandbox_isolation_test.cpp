// What a sandboxed command can see and reach: only its own workspace, a read-only /usr, no host
// directories, no network.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tests/support/sandbox_test_support.h"

namespace benchtop::testing {
namespace {

using SandboxIsolationTest = SandboxFixture;

TEST_F(SandboxIsolationTest, RunsInTheWorkspaceAsAnUnprivilegedUser) {
  write_file(alpha_.root / "hello.txt", "hi from the host\n");
  auto result = exec("alpha", "pwd; id -u; cat hello.txt; echo out > made.txt; echo err >&2");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.stdout_text, "/workspace\n1000\nhi from the host\n");
  EXPECT_EQ(result.stderr_text, "err\n");
  EXPECT_EQ(read_file(alpha_.root / "made.txt"), "out\n");
}

TEST_F(SandboxIsolationTest, HostDirectoriesAreAbsentAndUsrIsReadOnly) {
  auto result = exec("alpha",
                     "for d in /root /var /srv /opt /work /sys/fs/cgroup; do "
                     "  [ -e $d ] && echo present:$d; done; "
                     "echo home:$(ls -A /home); "
                     "touch /usr/x 2>/dev/null && echo usr-writable; "
                     "touch /etc/x 2>/dev/null && echo etc-writable; "
                     "touch /tmp/x && echo tmp-writable; "
                     "ls " +
                         temp_.path().string() + " 2>/dev/null && echo data-visible; true");
  EXPECT_EQ(result.exit_code, 0);
  // /home holds the project's own home directory and nothing of the host's.
  EXPECT_EQ(result.stdout_text, "home:dev\ntmp-writable\n");
}

TEST_F(SandboxIsolationTest, AnotherProjectsWorkspaceIsAbsent) {
  auto beta = projects_->create("beta", "");
  ASSERT_TRUE(beta.ok());
  write_file(beta->root / "secret.txt", "beta only\n");
  auto result =
      exec("alpha", "cat " + (beta->root / "secret.txt").string() +
                        " 2>&1; ls -R /workspace /tmp /etc 2>/dev/null | grep -x secret.txt; "
                        "grep -rs 'beta only' /workspace /tmp /etc; echo done");
  EXPECT_EQ(result.stdout_text.find("beta only"), std::string::npos) << result.stdout_text;
}

TEST_F(SandboxIsolationTest, HostLoopbackServerAndDnsAreUnreachable) {
  // A server on the host's 127.0.0.1 that the sandbox must not reach.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  UniqueFd owner(listener);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  // bash's /dev/tcp opens a TCP connection without any extra tool.
  auto result = exec("alpha", "if bash -c 'echo x > /dev/tcp/127.0.0.1/" + std::to_string(port) +
                                  "' 2>/dev/null; then echo reached; else echo refused; fi; "
                                  "getent hosts example.com >/dev/null 2>&1 && echo dns-works; "
                                  "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");
  EXPECT_EQ(result.stdout_text, "refused\nlo\n");
}

}  // namespace
}  // namespace benchtop::testing
