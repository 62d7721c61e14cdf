// Serves MCP on one framed Connection (stdio, or the in-memory pair in tests): reads each message,
// hands it to the McpServer, and writes replies back on the same connection.
#pragma once

#include <chrono>

#include "server/mcp/mcp_server.h"
#include "transport/connection.h"

namespace benchtop {

// Returns at the end of the input stream. Requests still running get up to `drain` to finish and
// be answered (a client that pipes a request and closes its input still gets the answer); those
// still running then are cancelled, and waited for: without limit when `after_cancel` is zero,
// otherwise for that long at most. Returns false when requests were still running after that
// (a worker stuck beyond cancellation): the caller should exit without waiting for them.
bool serve_connection(McpServer& server, Connection& connection,
                      std::chrono::milliseconds drain = std::chrono::milliseconds(0),
                      std::chrono::milliseconds after_cancel = std::chrono::milliseconds(0));

}  // namespace benchtop
