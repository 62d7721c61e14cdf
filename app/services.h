// Builds the long-lived services from the flags, in dependency order, and registers every tool
// family with the ones it needs. Members are destroyed in reverse order, so each service outlives
// everything that uses it.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/cli_options.h"
#include "app/scratch_directory.h"
#include "common/result.h"
#include "server/chat/chat_service.h"
#include "server/checkpoints/checkpoint_recorder.h"
#include "server/code/ctags.h"
#include "server/mcp/registry/prompt_registry.h"
#include "server/mcp/registry/resource_registry.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/preview/port_watch.h"
#include "server/preview/preview_links.h"
#include "server/project/git_settings.h"
#include "server/project/project_service.h"
#include "server/sandbox/container_manager.h"
#include "server/storage/data_dir.h"
#include "server/storage/repositories.h"
#include "server/storage/sqlite/database.h"
#include "server/test_runs/test_run_store.h"
#include "server/workspace/changes/file_watcher.h"

namespace benchtop {

struct Services {
  // `benchtop tools` only: the data directory it builds on, removed when it exits.
  std::optional<ScratchDirectory> scratch;
  DataDir data_dir{""};
  std::unique_ptr<Database> database;
  Repositories repositories;                      // over `database`
  std::unique_ptr<WorkspaceDisk> workspace_disk;  // before projects, which use it
  std::unique_ptr<ProjectService> projects;
  // What tool calls change in project files (checkpoint_list, checkpoint_restore).
  std::unique_ptr<CheckpointRecorder> checkpoints;
  // Runs parsers of project content (ctags) confined, for the code tools.
  std::unique_ptr<ConfinedHelper> helpers;
  std::unique_ptr<Ctags> ctags;
  // Resource subscriptions watch project files with it.
  std::unique_ptr<FileWatcher> file_watcher;
  std::unique_ptr<ContainerManager> containers;  // the CommandRunner of every exec tool
  // Live previews: their URLs, which exist once benchtop's HTTP server listens (its owner calls
  // preview_links->serve_on(port)), and the watch of which ports each sandbox listens on (after
  // `containers`, which it asks; before the tools, resources and chat runs that use both).
  std::unique_ptr<PreviewLinks> preview_links;
  std::unique_ptr<PortWatch> port_watch;
  std::unique_ptr<git::ProjectGitSettings> git_settings;
  std::unique_ptr<test_runs::ProjectTestRunStore> test_runs;
  ToolRegistry tools;
  ResourceRegistry resources;
  PromptRegistry prompts;
  // The built-in agent; after `tools`, so its runs end before the tools they call go away.
  std::unique_ptr<ChatService> chat;
  // Called when the tools offered change (the kill switch withdrew or restored the tools that
  // run commands); the MCP server sets it, before serving, to tell clients.
  std::function<void()> tools_changed;
};

// Fills `services`, which may already be referenced (by a server answering the handshake, see
// StartupGate) but must not be used until this returns successfully.
Status build_services(const CliOptions& options, Services& services);

// The project a tool call acts in, as the per-project cap of long-running calls counts it
// (McpServer::set_project_of_call): the project's id however the call named it (id, name, or
// none for the default project); "" for a tool that takes no project. Used only once `services`
// is built.
std::function<std::string(const std::string& tool, const nlohmann::json& arguments)>
project_of_call(const Services& services);

}  // namespace benchtop
