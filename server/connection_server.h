// Serves MCP on one framed Connection (stdio, or the in-memory pair in tests): reads each message,
// hands it to the McpServer, and writes replies back on the same connection.
#pragma once

#include "server/mcp_server.h"
#include "transport/connection.h"

namespace benchtop {

// Returns at the end of the input stream, after cancelling the requests still running and waiting
// for them to finish.
void serve_connection(McpServer& server, Connection& connection);

}  // namespace benchtop
