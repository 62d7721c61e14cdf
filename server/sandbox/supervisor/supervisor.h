// The supervisor of one project's sandbox: a single-threaded loop that accepts connections on
// the listening socket benchtop handed it, answers each connection's request (protocol.h), starts
// and watches the project's commands, and keeps the output of background ones.
//
// Nothing a client does can stop it or hold it for long: each connection is read only when it is
// readable, whole frames are read and written under short deadlines, pipes are non-blocking, and
// a request that breaks the protocol ends only its own connection. It stops when stop() is
// called or `stop_fd` becomes readable (the program's SIGTERM/SIGINT), and then kills the process
// groups of every command it started; or when the listening socket fails.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/unique_fd.h"
#include "server/sandbox/supervisor/protocol.h"

namespace benchtop::supervisor {

struct SupervisorOptions {
  // The project's files: `cwd` in requests is relative to it.
  std::string workspace_root = "/workspace";
  // Output kept per background process.
  size_t ring_bytes = kRingBytes;
  // Where to log (one line per error); -1 for nowhere.
  int log_fd = -1;
  // The loop ends, as with stop(), when this becomes readable; -1 for none. The program passes a
  // signalfd of SIGTERM and SIGINT.
  int stop_fd = -1;
  // Also reap children the supervisor did not start, on SIGCHLD (which the caller must have
  // blocked in every thread). For the program, which may be its pid namespace's init, where
  // every orphaned process of the sandbox becomes its child.
  bool reap_orphans = false;
  // The shell that runs commands as `shell -c command`.
  std::string shell = "/bin/sh";
  // End (as on stop) once the workspace directory is deleted: the project is gone (deleted, or
  // its data directory removed), and nothing else would ever end a sandbox nobody uses.
  bool end_with_workspace = false;
  std::chrono::milliseconds workspace_check_interval{5000};
};

class Supervisor {
 public:
  // `listener`: a listening AF_UNIX stream socket.
  Supervisor(UniqueFd listener, SupervisorOptions options);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Serves until stopped (returns 0) or until the listening socket fails (returns 1). Call once.
  int run();
  // From any thread, before or during run().
  void stop();

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
  UniqueFd stop_event_;  // an eventfd
};

}  // namespace benchtop::supervisor
