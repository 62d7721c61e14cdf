// Cuts off blocking system calls made by code we do not control. libgit2 opens and reads files of
// the work tree and of .git with plain blocking open()/read(); a FIFO planted under one of those
// names (.gitignore, .git/HEAD, ...) blocks the calling thread forever, and no flag it could poll
// exists. An InterruptScope watches the calling thread while it runs such code: once the call is
// cancelled or its time budget is spent, a watchdog sends the thread kInterruptSignal, whose
// handler is installed without SA_RESTART, so the blocking open() or read() fails with EINTR and
// the library fails the operation. The signal is repeated until the scope ends, so a call that
// blocks again is cut off again.
//
// libgit2 retries read() and write() on EINTR (p_read/p_write loop), so a FIFO whose other end is
// held open by a process in the project would keep the thread in that loop. For that case the
// watchdog, once signals alone have not ended the call, looks at what the thread is blocked in
// (/proc/self/task/<tid>/syscall): when it is a read or write on a FIFO, socket or device, the
// handler (running on that very thread, so the descriptor cannot be closed and reused meanwhile)
// points that descriptor at /dev/null, and the retried read sees end-of-file.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "common/cancellation.h"

namespace benchtop {

class InterruptScope {
 public:
  enum class Reason { kNone, kCancelled, kDeadline };

  // Watches the calling thread until the scope ends; interrupts it once `cancellation` fires or
  // `budget` has passed.
  InterruptScope(const CancellationToken& cancellation, std::chrono::milliseconds budget);
  // Stops the watchdog: after the destructor returns no further signal is sent to the thread.
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // Why the thread was interrupted (kNone: it was not).
  Reason reason() const;

  // The signal used (a real-time signal, so no library's own handler is replaced).
  static int signal_number();

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::thread watchdog_;
};

}  // namespace benchtop
