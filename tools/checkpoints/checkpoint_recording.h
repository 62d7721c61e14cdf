// The registry call wrapper that records a checkpoint around every call that may change a
// project's files: the paths a file tool names, the whole workspace around a command.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "server/checkpoints/checkpoint_recorder.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/project/project_service.h"

namespace benchtop {

// Records through `recorder` the calls of tools that are not read-only and change files, in the
// project their arguments name (the default project without one). Project management and agent
// runs are not recorded themselves: the calls an agent makes are, one by one.
ToolRegistry::CallWrapper record_checkpoints(CheckpointRecorder& recorder,
                                             ProjectService& projects);

// A call's arguments as a checkpoint names it: `project` left out, long strings shortened.
std::string summarize_arguments(const nlohmann::json& arguments);

}  // namespace benchtop
