// A long-running command in a project's container (a dev server, a watcher, a REPL): its merged
// stdout/stderr goes into a bounded ring that readers page through by offset, and stdin stays
// open for process_write. The destructor kills the whole tree and joins the reader thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/process/output_buffers.h"
#include "server/process/spawned_process.h"
#include "server/sandbox/container_types.h"

namespace benchtop {

class BackgroundProcess {
 public:
  using Spawner = std::function<Result<SpawnedProcess>()>;

  // Starts the process by calling `spawn` on the process's own reader thread. That thread lives
  // exactly as long as the process: bubblewrap's --die-with-parent watches the thread that
  // forked it, so forking from a caller's thread would tie the process to that thread's life.
  static Result<std::shared_ptr<BackgroundProcess>> start(std::string id, std::string project_id,
                                                          std::string command, Spawner spawn,
                                                          size_t ring_bytes,
                                                          bool exit_codes_carry_signals);

  BackgroundProcess(std::string id, std::string project_id, std::string command, size_t ring_bytes,
                    bool exit_codes_carry_signals);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  BackgroundProcessInfo info() const;
  OutputRing::Slice read(std::optional<uint64_t> since, std::optional<size_t> tail) const;
  Status write(std::string_view input);
  // SIGKILL ends the whole tree; other signals go to every process of the command (not to the
  // sandbox's own supervisor), so a dev server can shut down cleanly on SIGTERM/SIGINT.
  Status signal(int signal);
  // Blocks until the process has exited (bounded); true when it has.
  bool wait_exit(std::chrono::milliseconds limit) const;

 private:
  void run(const Spawner& spawn);
  void read_loop();

  const std::string id_;
  const std::string project_id_;
  const std::string command_;
  const std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
  const bool exit_codes_carry_signals_;
  mutable std::mutex mutex_;
  std::mutex write_mutex_;  // serialises writers to stdin_
  mutable std::condition_variable exited_cv_;
  SpawnedProcess process_;  // stdout is read only by the reader thread
  UniqueFd stdin_;
  UniqueFd stop_;  // eventfd that ends the reader thread
  OutputRing ring_;
  std::optional<ExitStatus> exit_;
  bool launched_ = false;  // spawn() has returned (successfully or not)
  std::optional<Error> start_error_;
  std::thread reader_;
};

}  // namespace benchtop
