#include "server/sandbox/supervisor/quiet_write.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

namespace benchtop::supervisor {

ssize_t write_without_sigpipe(int fd, const void* data, size_t size) {
  sigset_t pipe_only, previous;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  ssize_t n;
  do {
    n = ::write(fd, data, size);
  } while (n < 0 && errno == EINTR);
  const int error = errno;
  // Consumed whatever the caller's mask was: where SIGPIPE stays blocked for good (the program
  // blocks it), a pending one is of use to no one.
  if (n < 0 && error == EPIPE) {
    const timespec zero{0, 0};
    ::sigtimedwait(&pipe_only, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = error;
  return n;
}

}  // namespace benchtop::supervisor
