// write(2) to a pipe that may have lost its reader, without SIGPIPE.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace benchtop::supervisor {

// A write to a pipe whose reader has gone raises SIGPIPE on the writing thread. It is blocked
// for the write and the one it leaves pending is consumed, so neither the supervisor program
// nor a test program running it on a thread is killed by a command that closed its stdin; the
// write fails with EPIPE instead. Retries on EINTR.
ssize_t write_without_sigpipe(int fd, const void* data, size_t size);

}  // namespace benchtop::supervisor
