// checkpoint_list and checkpoint_restore: what recorded tool calls changed in a project's files,
// and putting files back as they were before one of them.
#pragma once

#include "server/checkpoints/checkpoint_recorder.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/project/project_service.h"

namespace benchtop {

void register_checkpoint_tools(ToolRegistry& registry, ProjectService& projects,
                               CheckpointRecorder& recorder);

}  // namespace benchtop
