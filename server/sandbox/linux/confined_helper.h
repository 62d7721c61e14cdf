// Runs one of the host's own programs over bytes taken from a project (a parser such as ctags,
// whose bugs the project's content may reach) so that whatever the input makes it do reaches
// nothing else. The program gets its input on stdin only and sees no workspace at all:
//  - bubblewrap with user, pid, network, ipc, uts, cgroup and mount namespaces of its own in which
//    only /usr (read-only) and the loader's cache exist: no workspace, home, /proc, /dev or /tmp,
//    nowhere to write, no network; it dies with the thread that started it;
//  - the sandboxes' seccomp filter, no capabilities, no new privileges, no nested user namespaces;
//  - as root, the unprivileged sandbox identity (host uid/gid) before bubblewrap runs;
//  - limits: address space, CPU seconds, no file writes (RLIMIT_FSIZE 0), no core dumps, few
//    descriptors; an empty environment, cwd "/";
//  - a deadline and cancellation that kill its whole tree; output streamed to the caller and
//    kept only up to a cap.
// Where bubblewrap cannot run (no unprivileged user namespaces), the namespaces are left out, the
// rest still applies and the seccomp filter is loaded directly; describe() says which.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/process/command_runner.h"
#include "server/sandbox/linux/host_identity.h"

namespace benchtop {

struct ConfinedHelperOptions {
  std::filesystem::path bwrap = "/usr/bin/bwrap";
  bool use_bwrap = true;  // false: no namespaces even where bubblewrap works (tests)
  // Who the helper runs as on the host when benchtop runs as root (never 0): the sandboxes' own
  // unprivileged identity (BwrapOptions::host_uid).
  uid_t host_uid = kDefaultSandboxHostId;
  gid_t host_gid = kDefaultSandboxHostId;
  uint64_t memory_bytes = 1024ULL * 1024 * 1024;  // RLIMIT_AS
};

struct HelperRun {
  std::vector<std::string> argv;  // argv[0]: the program's path on the host
  std::string stdin_data;
  std::chrono::milliseconds timeout{10'000};
  size_t output_limit = 64 * 1024;  // bytes of each stream kept in the result (head and tail)
};

class ConfinedHelper {
 public:
  explicit ConfinedHelper(ConfinedHelperOptions options = {});

  // Runs `run` to its end, its timeout or cancellation (which kill it: ExecResult::timed_out,
  // ::cancelled). Output also streams to `on_output` as it arrives. An error only when the
  // program could not be started.
  Result<ExecResult> run(HelperRun run, const CancellationToken& cancellation,
                         const OutputSink& on_output = {});

  // The layers that apply here, for the log and status.
  std::string describe();

  // bubblewrap's command line for `argv` (argv[0] canonical), exposed for tests; `seccomp_fd` < 0
  // leaves the filter out.
  std::vector<std::string> bwrap_argv(const std::vector<std::string>& argv, int seccomp_fd) const;

 private:
  // Whether bubblewrap works here, found out once by running `true` under it.
  bool namespaces();
  Result<ExecResult> start(const std::vector<std::string>& argv, bool in_bwrap, ExecRequest request,
                           const CancellationToken& cancellation, const OutputSink& on_output);

  ConfinedHelperOptions options_;
  bool drops_root_;
  std::mutex probe_mutex_;
  std::optional<bool> bwrap_works_;
  std::string bwrap_failure_;
};

}  // namespace benchtop
