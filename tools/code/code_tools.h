// The code tools: code_outline (the symbols of one file with their line ranges, so a model can
// read one function instead of the whole file) and code_find (where a symbol is defined). Both
// read files through the workspace guard and hand their contents to Universal Ctags, which runs
// confined and never opens a workspace path itself (server/code/ctags.h).
#pragma once

#include <chrono>
#include <cstddef>

#include "server/code/ctags.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

struct CodeToolOptions {
  std::chrono::milliseconds outline_budget{10'000};  // one code_outline call
  std::chrono::milliseconds find_budget{30'000};     // one code_find call, its walk included
  size_t max_file_bytes = 8 * 1024 * 1024;           // larger files are refused or skipped
};

void register_code_tools(ToolRegistry& registry, WorkspaceProvider& provider, Ctags& ctags,
                         CodeToolOptions options = {});

// The individual tools, for composition roots that want only one.
Tool code_outline_tool(WorkspaceProvider& provider, Ctags& ctags, CodeToolOptions options = {});
Tool code_find_tool(WorkspaceProvider& provider, Ctags& ctags, CodeToolOptions options = {});

}  // namespace benchtop
