// `benchtop serve`: the Streamable HTTP server, its session reaper and signal handling.
#pragma once

#include <signal.h>

#include "app/cli_options.h"
#include "app/services.h"
#include "server/mcp/mcp_server.h"

namespace benchtop {

// SIGINT/SIGTERM are taken by one thread with sigwait, so no handler runs on an arbitrary thread.
// Call this before any thread starts, so that every thread inherits the blocked mask.
void block_shutdown_signals();
sigset_t shutdown_signals();

// Blocks until SIGINT/SIGTERM. Returns the process exit code.
int run_http_server(const CliOptions& options, McpServer& server, Services& services);

}  // namespace benchtop
