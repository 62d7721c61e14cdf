// The fixture the official MCP conformance suite calls by name: tools, prompts and resources with
// exactly the behaviour each scenario checks (see the scenario descriptions of
// @modelcontextprotocol/conformance). It exercises the protocol core, not the product's tools.
#pragma once

#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/prompt_registry.h"
#include "server/mcp/registry/resource_registry.h"
#include "server/mcp/registry/tool_registry.h"

namespace benchtop::conformance {

// A 1x1 red PNG and a silent WAV, base64.
inline constexpr const char* kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg"
    "==";
inline constexpr const char* kWavBase64 =
    "UklGRiQAAABXQVZFZm10IBAAAAABAAEARKwAAIhYAQACABAAZGF0YQAAAAA=";

void register_fixture_tools(ToolRegistry& tools);
// The tools of the tasks extension scenarios; `server` learns which of them run as tasks.
void register_fixture_task_tools(ToolRegistry& tools, McpServer& server);
void register_fixture_prompts(PromptRegistry& prompts);
void register_fixture_resources(ResourceRegistry& resources);

}  // namespace benchtop::conformance
