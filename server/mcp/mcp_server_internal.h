// Definitions McpServer's implementation files share (mcp_server.cpp, mcp_server_tasks.cpp).
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "server/mcp/mcp_server.h"
#include "server/mcp/protocol.h"

namespace benchtop {

struct McpServer::RequestScope {
  mcp::Era era = mcp::Era::kLegacy;
  std::string version;
  nlohmann::json client_capabilities = nlohmann::json::object();
  // 2026-07-28: the _meta log level; empty means "send no log messages".
  std::string log_level;
};

struct McpServer::InputRound {
  std::mutex mutex;
  std::string method;  // the request being answered, bound into the sealed state
  std::string target;  // its tool/prompt name or resource URI
  nlohmann::json responses = nlohmann::json::object();  // answered so far (all rounds)
  nlohmann::json requests = nlohmann::json::object();   // asked in this round, still missing
  nlohmann::json missing_capabilities = nlohmann::json::object();
  size_t asked = 0;  // numbering of unnamed requests
};

}  // namespace benchtop
