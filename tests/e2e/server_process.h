// Runs the built benchtop binary as a child process for end-to-end tests: stdin and stdout are
// pipes owned by the test, stderr goes to a file the test can read afterwards. The owner shuts
// the child down the way an MCP client should: close stdin, wait, then SIGTERM, then SIGKILL.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"
#include "tests/support/temp_dir.h"

namespace benchtop::e2e {

using namespace std::chrono_literals;

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
using benchtop::testing::TempDir;

class ServerProcess {
 public:
  // Starts BENCHTOP_BINARY with `args`. Fails the test (and returns a process whose pid is -1)
  // when it cannot be started.
  explicit ServerProcess(const std::vector<std::string>& args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool running() const { return pid_ > 0 && !exit_status_; }

  // Writes raw bytes to the child's stdin. Returns false once the child stopped reading.
  bool write(std::string_view bytes);
  bool write_line(std::string_view line) { return write(std::string(line) + "\n"); }
  void close_stdin() { stdin_.reset(); }
  void close_stdout() { stdout_.reset(); }

  // The next line the child wrote to stdout (without its newline), or nullopt at the end of the
  // stream or when nothing arrives within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 20s);

  // Asks the child to stop as a service manager does (SIGTERM; `serve` ignores stdin) and waits
  // for its exit, as wait_for_exit().
  std::optional<int> terminate(std::chrono::milliseconds timeout = 20s);

  // Waits for the child to exit; its exit code, or 128 + signal when a signal killed it, or
  // nullopt when it is still running after `timeout`.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout = 20s);

  // Everything the child wrote to stderr so far.
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd stdin_;
  UniqueFd stdout_;
  std::string stdout_buffer_;
  std::optional<int> exit_status_;
  TempDir stderr_dir_;
  std::filesystem::path stderr_path_;
};

}  // namespace benchtop::e2e
