// Builds the long-lived services from the flags, in dependency order, and registers every tool
// family with the ones it needs. Members are destroyed in reverse order, so each service outlives
// everything that uses it.
#pragma once

#include <memory>

#include "app/cli_options.h"
#include "common/result.h"
#include "server/chat/chat_service.h"
#include "server/data_dir.h"
#include "server/database.h"
#include "server/project_service.h"
#include "server/tool_registry.h"

namespace benchtop {

struct Services {
  DataDir data_dir{""};
  std::unique_ptr<Database> database;
  std::unique_ptr<ProjectService> projects;
  ToolRegistry tools;
  // The built-in agent; after `tools`, so its runs end before the tools they call go away.
  std::unique_ptr<ChatService> chat;
};

Result<std::unique_ptr<Services>> build_services(const CliOptions& options);

}  // namespace benchtop
