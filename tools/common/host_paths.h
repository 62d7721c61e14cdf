// Host paths out of messages: libgit2 and file-system errors quote absolute host paths (the data
// directory, the workspace's real location), which tell a model or a client about the server's
// layout and are useless to them. A project sees its workspace as /workspace (the path inside
// its sandbox); anything else under the data directory becomes "<data dir>".
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "server/mcp/registry/tool_registry.h"
#include "server/project/project_service.h"

namespace benchtop {

// `text` with each `from` path (whole path components only: "/a/b" does not match "/a/bc")
// replaced by its `to`, in the order given (put longer, more specific paths first).
std::string replace_host_paths(std::string text,
                               const std::vector<std::pair<std::string, std::string>>& paths);

// The filter ToolRegistry applies to error results: the workspace of the call's project (its
// `project` argument, else the default project) becomes /workspace, the data directory
// "<data dir>". `projects` must outlive the registry.
ToolRegistry::ErrorTextFilter host_path_filter(ProjectService& projects,
                                               std::filesystem::path data_dir);

}  // namespace benchtop
