// agent_run: the built-in agent as an MCP tool, for clients that want to hand a whole task to
// benchtop's own loop (which then calls the other tools itself).
#pragma once

#include "server/chat/chat_service.h"
#include "server/mcp/registry/tool_registry.h"

namespace benchtop {

// `chat` must outlive the registry's use of the tool.
void register_agent_tools(ToolRegistry& registry, ChatService& chat);

}  // namespace benchtop
