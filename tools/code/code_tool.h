// What the code tools share beyond their options: the frame of their definitions (read-only,
// idempotent, closed-world, a handler that gets the family's services) and how a note ends a
// result.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tools/code/code_tools.h"

namespace benchtop {

using CodeToolRun = ToolResult (*)(WorkspaceProvider& provider, Ctags& ctags,
                                   const CodeToolOptions& options, const nlohmann::json& args,
                                   ToolContext& context);

struct CodeToolText {
  const char* name;
  const char* title;
  const char* description;
};

Tool read_only_code_tool(const CodeToolText& text, nlohmann::json input_schema,
                         nlohmann::json output_schema, WorkspaceProvider& provider, Ctags& ctags,
                         const CodeToolOptions& options, CodeToolRun run);

// Ends the rendering with `note` and sets the result's `note` field, unless there is none.
void end_with_note(std::string& text, std::optional<std::string>& field, std::string note);

}  // namespace benchtop
