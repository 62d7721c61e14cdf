// Argument helpers shared by every tool that acts inside a project workspace, so that each family
// resolves `project` and paths the same way.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/workspace/workspace.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

// The schema of the optional `project` argument (id or name; the default project when omitted).
nlohmann::json project_property();

// Resolves args["project"] (absent → default project) to its workspace.
Result<std::shared_ptr<const Workspace>> workspace_for(WorkspaceProvider& provider,
                                                       const nlohmann::json& arguments);

// A Tool::changed_paths for a tool whose string arguments `keys` are the paths it changes.
std::function<std::vector<std::string>(const nlohmann::json& arguments)> paths_in_arguments(
    std::vector<std::string> keys);

// Reads an optional string argument.
std::optional<std::string> optional_string(const nlohmann::json& arguments, const char* key);

// An integer argument clamped to [lowest, highest]; handlers must not trust that the schema was
// enforced before they run.
size_t bounded_count(const nlohmann::json& arguments, const char* key, size_t fallback,
                     size_t lowest, size_t highest);

}  // namespace benchtop
