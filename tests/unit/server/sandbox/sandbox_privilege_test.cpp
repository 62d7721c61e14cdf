// Who a sandboxed process is on the host. Started by root, bubblewrap alone would map the sandbox
// user to host root: files made inside would be root's (set-id copies of a shell included) and
// root-only host files readable. These tests hold on the host side of the boundary.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/sandbox_test_support.h"

namespace benchtop::testing {
namespace {
namespace fs = std::filesystem;

using SandboxPrivilegeTest = SandboxFixture;

TEST_F(SandboxPrivilegeTest, SandboxedProcessesAreNotHostRoot) {
  auto process = manager_->start_process("alpha", {"exec sleep 987621", "", {}});
  ASSERT_TRUE(process.ok()) << process.error().message;
  pid_t pid = -1;
  ASSERT_TRUE(eventually(
      [&] { return (pid = find_host_process(std::string("sleep\0987621\0", 13))) > 0; }));
  const std::string uids = host_uids(pid);
  const uid_t expected = ::geteuid() == 0 ? BwrapOptions{}.host_uid : ::geteuid();
  const std::string one = std::to_string(expected);
  EXPECT_EQ(uids, "\t" + one + "\t" + one + "\t" + one + "\t" + one) << "host uids of the sandbox";
  (void)manager_->kill_process("alpha", process->id, SIGKILL);
}

// Every way a program can ask for a set-user-ID or set-group-ID file: chmod and friends, modes
// given at creation (open, mkdir, install), in several languages' own system call paths.
TEST_F(SandboxPrivilegeTest, FilesMadeInsideNeverCarrySetIdBits) {
  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"chmod-suid", "cp /bin/sh chmod-suid; chmod 4755 chmod-suid"},
      {"chmod-sgid", "cp /bin/sh chmod-sgid; chmod g+s chmod-sgid"},
      {"install-suid", "install -m 4755 /bin/sh install-suid"},
      {"mkdir-sgid", "mkdir -m 2755 mkdir-sgid"},
      {"chmod-dir-sgid", "mkdir chmod-dir-sgid; chmod 2755 chmod-dir-sgid"},
      {"python-open",
       "python3 -c 'import os; os.close(os.open(\"python-open\", os.O_CREAT | os.O_WRONLY, "
       "0o4755))'"},
      {"python-fchmod",
       "python3 -c 'import os; fd = os.open(\"python-fchmod\", os.O_CREAT | os.O_WRONLY, 0o755); "
       "os.fchmod(fd, 0o6755)'"},
      {"perl-chmod", "touch perl-chmod; perl -e 'chmod 04755, \"perl-chmod\"'"},
      {"mknod-suid", "mknod -m 4755 mknod-suid p"},
  };
  for (const auto& [name, command] : attempts) {
    auto result = exec("alpha", command + " 2>/dev/null; true");
    EXPECT_EQ(result.exit_code, 0) << name;
    struct stat st {};
    if (::lstat((alpha_.root / name).c_str(), &st) != 0) continue;  // refused outright: fine
    EXPECT_EQ(st.st_mode & (S_ISUID | S_ISGID), 0u)
        << name << " has mode " << std::oct << st.st_mode << " owned by " << std::dec << st.st_uid;
  }
  // The refusal is EPERM, an answer tools report, not a crash.
  auto refused = exec("alpha", "touch f; chmod u+s f");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.stderr_text.find("Operation not permitted"), std::string::npos)
      << refused.stderr_text;
}

TEST_F(SandboxPrivilegeTest, RootOnlyHostFilesAreUnreadable) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make root-only files";
  // A root-only directory and file in the workspace of a project whose workspace belongs to
  // someone else: the sandbox is that owner, never root.
  ASSERT_EQ(::chown(alpha_.root.c_str(), 4321, 4321), 0);
  fs::create_directory(alpha_.root / "root-dir");
  write_file(alpha_.root / "root-dir" / "secret", "root only\n");
  write_file(alpha_.root / "root-file", "root only\n");
  fs::permissions(alpha_.root / "root-dir", fs::perms::owner_all);
  fs::permissions(alpha_.root / "root-file", fs::perms::owner_read | fs::perms::owner_write);
  std::string probe =
      "cat root-file root-dir/secret 2>/dev/null; ls root-dir 2>/dev/null; "
      "echo mine > own.txt && echo wrote";
  // The host's own root-only directory, when this host has one visible to the sandbox.
  if (fs::exists("/etc/ssl/private")) probe += "; ls /etc/ssl/private >/dev/null 2>&1 && echo ssl";
  auto result = exec("alpha", probe);
  EXPECT_EQ(result.stdout_text, "wrote\n") << result.stderr_text;
  struct stat st {};
  ASSERT_EQ(::stat((alpha_.root / "own.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 4321u) << "files made inside belong to the workspace's owner";
}

TEST_F(SandboxPrivilegeTest, FilesStayEditableFromBothSides) {
  // Written by the server (as benchtop's file tools do), edited inside, and the other way round.
  write_file(alpha_.root / "from-host.txt", "host\n");
  fs::create_directories(alpha_.root / "host-dir");
  auto result = exec("alpha",
                     "echo sandbox >> from-host.txt && echo made > from-sandbox.txt && "
                     "mkdir sandbox-dir && echo in > host-dir/inner && rm -f host-dir/inner && "
                     "echo ok");
  EXPECT_EQ(result.stdout_text, "ok\n") << result.stderr_text;
  EXPECT_EQ(read_file(alpha_.root / "from-host.txt"), "host\nsandbox\n");
  write_file(alpha_.root / "from-sandbox.txt", "edited by the host\n");
  write_file(alpha_.root / "sandbox-dir" / "inner", "x\n");
  result =
      exec("alpha", "cat from-sandbox.txt sandbox-dir/inner && rm -r sandbox-dir && echo gone");
  EXPECT_EQ(result.stdout_text, "edited by the host\nx\ngone\n") << result.stderr_text;
  result = exec("alpha", "stat -c %u from-host.txt from-sandbox.txt; id -u");
  EXPECT_EQ(result.stdout_text, "1000\n1000\n1000\n") << "both belong to the sandbox's user";
}

}  // namespace
}  // namespace benchtop::testing
