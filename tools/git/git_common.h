// What the git tool families share: the services they use, opening the project's repository,
// schema helpers, and the one place that decides whether a destructive operation is confirmed.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/git/git_handles.h"
#include "server/git/git_repository.h"
#include "server/git/remote/git_transfer.h"
#include "server/mcp/registry/tool.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/project/git_settings.h"
#include "server/workspace/workspace_provider.h"
#include "tools/git/git_tools.h"

namespace benchtop {

struct GitToolServices {
  GitToolServices(WorkspaceProvider& workspaces, git::GitSettingsSource& settings,
                  git::TransportPolicy policy, GitCallBudgets budgets)
      : workspaces(workspaces), settings(settings), policy(std::move(policy)), budgets(budgets) {}
  WorkspaceProvider& workspaces;
  git::GitSettingsSource& settings;
  const git::TransportPolicy policy;  // the transports remotes may use
  GitCallBudgets budgets;
  git::LazyGitLibrary library;  // initialised by the first git tool call, kept until shutdown
};

struct OpenRepository {
  std::shared_ptr<const Workspace> workspace;
  git::RepositoryPtr repo;
  git_repository* get() const { return repo.get(); }
};

// Resolves args["project"] and opens its repository through the guard.
Result<OpenRepository> open_project_repository(GitToolServices& services,
                                               const nlohmann::json& arguments);

// {"type": "object", properties, required, additionalProperties: false}.
nlohmann::json object_schema(nlohmann::json properties,
                             const std::vector<std::string>& required = {});
nlohmann::json string_property(const std::string& description);
nlohmann::json boolean_property(const std::string& description);
nlohmann::json string_array_property(const std::string& description);

// Repository-relative paths from args[key] (each through the workspace guard).
Result<std::vector<std::string>> paths_argument(const Workspace& workspace,
                                                const nlohmann::json& arguments, const char* key);

// A git_strarray view over `paths` (valid while `paths` and `pointers` live).
git_strarray to_strarray(const std::vector<std::string>& paths, std::vector<char*>& pointers);

// The confirmation rule for destructive git operations (hard reset, ...). Kept in one function so
// that the way of confirming (an argument today) can change in one place.
std::optional<ToolResult> require_confirmation(const nlohmann::json& arguments,
                                               ToolContext& context, const std::string& action);

// The commit author: `override` ("Name <email>") if given, else the project's settings, else
// the built-in default. Never fails for lack of git user configuration.
Result<git::SignaturePtr> author_signature(GitToolServices& services,
                                           const nlohmann::json& arguments,
                                           const std::optional<std::string>& override);

// Refuses a work-tree write (checkout, hard reset, pull, stash) when a directory of the index or
// of `target`'s tree (null: the index only) is a symlink in the work tree.
Status guard_work_tree(const OpenRepository& repo, git_commit* target);

// True when tracked files have staged or unstaged changes (untracked files do not count).
Result<bool> has_uncommitted_changes(git_repository* repo);

// Transfer options for fetch/pull/push: credentials from settings, progress and cancellation
// from the call.
Result<git::TransferOptions> transfer_options(GitToolServices& services,
                                              const nlohmann::json& arguments,
                                              ToolContext& context);

// Registers a git tool whose handler runs under an InterruptScope with the services' local (or,
// for network transfers, transfer) budget: a call blocked by a special file in the repository is
// cut off when cancelled or out of time, and then fails with a message saying what to look for.
// Every git tool runs with the long-running tools (ToolExecution::kLongRunning).
enum class GitCallKind { kLocal, kTransfer };
void add_git_tool(ToolRegistry& registry, const GitToolServices& services, Tool tool,
                  GitCallKind kind = GitCallKind::kLocal);

void register_git_read_tools(ToolRegistry& registry,
                             const std::shared_ptr<GitToolServices>& services);
void register_git_write_tools(ToolRegistry& registry,
                              const std::shared_ptr<GitToolServices>& services);
void register_git_branch_tools(ToolRegistry& registry,
                               const std::shared_ptr<GitToolServices>& services);
void register_git_remote_tools(ToolRegistry& registry,
                               const std::shared_ptr<GitToolServices>& services);

}  // namespace benchtop
