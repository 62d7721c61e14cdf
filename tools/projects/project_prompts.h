// Prompts a user picks from the client's prompt menu to start common work on a project: they
// expand into instructions that walk a model through benchtop's own tools.
#pragma once

#include "server/mcp/registry/prompt_registry.h"
#include "server/project/project_service.h"

namespace benchtop {

void register_project_prompts(PromptRegistry& prompts, ProjectService& projects);

}  // namespace benchtop
