// Pieces shared by the fs_* tools: resolving the `path` arguments, turning errors into results a
// model can act on, and describing file metadata the same way everywhere.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/utf8.h"
#include "server/mcp/registry/tool.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/workspace/workspace.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop::fs_tools {

// One family of tools registers itself (defined in the tools/fs_*_tools.cpp files).
void register_read_tools(ToolRegistry& registry, WorkspaceProvider& provider);
void register_write_tools(ToolRegistry& registry, WorkspaceProvider& provider);
void register_edit_tool(ToolRegistry& registry, WorkspaceProvider& provider);
void register_apply_patch_tool(ToolRegistry& registry, WorkspaceProvider& provider);
void register_tree_tools(ToolRegistry& registry, WorkspaceProvider& provider);

// A path argument resolved against its workspace.
struct Target {
  std::shared_ptr<const Workspace> workspace;
  std::string relative;  // normalised, "" = the workspace root
  std::string shown;     // how to name it in messages and results ("." for the root)
};

// Resolves arguments["project"] and arguments[key] (absent → the root when `default_root`).
Result<Target> resolve(WorkspaceProvider& provider, const nlohmann::json& arguments,
                       const char* key = "path", bool default_root = false);

// The schema of a path argument.
nlohmann::json path_property(std::string description);

// An isError result whose message ends with what to do next for the common error codes.
ToolResult error_result(const Error& error);

std::string type_name(mode_t mode);               // "file", "directory", "symlink", "other"
std::string octal_mode(mode_t mode);              // permission bits, e.g. "0644"
std::string iso8601_utc(const struct timespec&);  // e.g. "2024-05-01T12:34:56.123Z"

}  // namespace benchtop::fs_tools
