// A TCP connection to a port inside the sandbox's network namespace, made for a caller outside
// it (which cannot reach the sandbox's loopback itself).
#pragma once

#include <chrono>
#include <cstdint>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop::supervisor {

// Connects to 127.0.0.1:port, and when that is refused to [::1]:port; each attempt waits at most
// `limit`. The descriptor returned is blocking and close-on-exec.
Result<UniqueFd> connect_loopback(uint16_t port, std::chrono::milliseconds limit);

}  // namespace benchtop::supervisor
