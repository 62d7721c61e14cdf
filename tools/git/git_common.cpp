#include "tools/git/git_common.h"

#include "common/interrupt_scope.h"
#include "server/git/git_error.h"
#include "server/git/git_worktree_guard.h"
#include "tools/common/confirmation.h"
#include "tools/common/workspace_args.h"
#include "tools/git/git_tools.h"

namespace benchtop {

using nlohmann::json;

Result<OpenRepository> open_project_repository(GitToolServices& services, const json& arguments) {
  auto workspace = workspace_for(services.workspaces, arguments);
  if (!workspace) return workspace.take_error();
  services.library.ensure();
  auto repo = git::open_repository(**workspace);
  if (!repo) return repo.take_error();
  return OpenRepository{std::move(workspace).value(), std::move(repo).value()};
}

json object_schema(json properties, const std::vector<std::string>& required) {
  json schema = {
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

json string_property(const std::string& description) {
  return {{"type", "string"}, {"description", description}};
}

json boolean_property(const std::string& description) {
  return {{"type", "boolean"}, {"description", description}};
}

json string_array_property(const std::string& description) {
  return {{"type", "array"},
          {"items", {{"type", "string"}, {"minLength", 1}}},
          {"maxItems", 1000},
          {"description", description}};
}

Result<std::vector<std::string>> paths_argument(const Workspace& workspace, const json& arguments,
                                                const char* key) {
  std::vector<std::string> paths;
  auto it = arguments.find(key);
  if (it == arguments.end() || !it->is_array()) return paths;
  for (const auto& item : *it) {
    if (!item.is_string()) continue;
    auto path = git::repository_path(workspace, item.get<std::string>());
    if (!path) return path.take_error();
    paths.push_back(path->empty() ? "." : *path);
  }
  return paths;
}

git_strarray to_strarray(const std::vector<std::string>& paths, std::vector<char*>& pointers) {
  pointers.clear();
  for (const auto& path : paths) pointers.push_back(const_cast<char*>(path.c_str()));
  return git_strarray{pointers.data(), pointers.size()};
}

std::optional<ToolResult> require_confirmation(const json& arguments, ToolContext& context,
                                               const std::string& action) {
  return confirm_destructive(
      context, action + " discards uncommitted work and cannot be undone. Go ahead?",
      arguments.value("confirm", false),
      action +
          " discards uncommitted work and cannot be undone. Show the user what will be lost "
          "(git_status, git_diff), then call again with confirm: true if they agree.");
}

Result<git::SignaturePtr> author_signature(GitToolServices& services, const json& arguments,
                                           const std::optional<std::string>& override) {
  std::string name = git::kDefaultAuthorName;
  std::string email = git::kDefaultAuthorEmail;
  if (override) {
    const size_t open = override->find('<');
    const size_t close = override->rfind('>');
    if (open == std::string::npos || close == std::string::npos || close < open || open == 0) {
      return Error::make(
          "Invalid author '" + *override +
              "': write it as 'Name <email>', e.g. 'Ada Lovelace <ada@example.com>'.",
          "invalid_argument");
    }
    name = override->substr(0, open);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    email = override->substr(open + 1, close - open - 1);
  } else {
    auto settings = services.settings.settings(optional_string(arguments, "project"));
    if (settings) {
      if (!settings->author_name.empty()) name = settings->author_name;
      if (!settings->author_email.empty()) email = settings->author_email;
    }
  }
  git_signature* raw = nullptr;
  const int rc = git_signature_now(&raw, name.c_str(), email.c_str());
  git::SignaturePtr signature(raw);
  if (rc < 0) return git::git_failure("Invalid author '" + name + " <" + email + ">'", rc);
  return signature;
}

Status guard_work_tree(const OpenRepository& repo, git_commit* target) {
  git::TreePtr tree;
  if (target) {
    git_tree* raw = nullptr;
    const int rc = git_commit_tree(&raw, target);
    tree.reset(raw);
    if (rc < 0) return git::git_failure("Cannot read the commit's tree", rc);
  }
  return git::guard_work_tree_writes(*repo.workspace, repo.get(), {tree.get()});
}

Result<bool> has_uncommitted_changes(git_repository* repo) {
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  const int rc = git_status_list_new(&raw, repo, &options);
  git::StatusListPtr list(raw);
  if (rc < 0) return git::git_failure("Cannot read the status", rc);
  return git_status_list_entrycount(list.get()) > 0;
}

Result<git::TransferOptions> transfer_options(GitToolServices& services, const json& arguments,
                                              ToolContext& context) {
  git::TransferOptions options;
  auto settings = services.settings.settings(optional_string(arguments, "project"));
  if (settings) {
    options.https_origin = settings->https_host;
    options.https_username = settings->https_username;
    options.https_token = settings->https_token;
  }
  options.policy = services.policy;
  options.cancellation = context.cancellation();
  if (context.wants_progress()) {
    options.progress = [&context](double progress, std::optional<double> total,
                                  const std::string& message) {
      context.report_progress(progress, total, message);
    };
  }
  return options;
}

void add_git_tool(ToolRegistry& registry, const GitToolServices& services, Tool tool,
                  GitCallKind kind) {
  const auto budget =
      kind == GitCallKind::kTransfer ? services.budgets.transfer : services.budgets.local;
  // Until its budget is spent a git call can be held by what the workspace contains, so it runs
  // with the long-running tools: calls stuck in one project then take that project's long-call
  // places, never the threads quick calls in every other project need.
  tool.execution = ToolExecution::kLongRunning;
  tool.handler = [inner = std::move(tool.handler), budget, name = tool.name](const json& arguments,
                                                                             ToolContext& context) {
    std::optional<ToolResult> result;
    InterruptScope::Reason reason = InterruptScope::Reason::kNone;
    {
      InterruptScope scope(context.cancellation(), budget);
      result = inner(arguments, context);
      reason = scope.reason();
    }
    if (reason == InterruptScope::Reason::kNone) return std::move(*result);
    // Interrupted: some file libgit2 read may have failed half-way (an ignore file skipped makes a
    // status list ignored files), so even a result that looks complete is not trusted.
    if (reason == InterruptScope::Reason::kCancelled) {
      return ToolResult::error(name + " was cancelled; what it did so far may be incomplete.");
    }
    return ToolResult::error(
        name + " did not finish within " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(budget).count()) +
        " s and was stopped; what it did so far may be incomplete. A special file in the "
        "repository can block git: look for a FIFO, socket or device named .gitignore, "
        ".gitattributes or .gitmodules, or inside .git (`find . -not -type f -not -type d -not "
        "-type l` in shell_exec), remove it and retry.");
  };
  registry.add(std::move(tool));
}

void register_git_tools(ToolRegistry& registry, WorkspaceProvider& workspaces,
                        git::GitSettingsSource& settings, const git::TransportPolicy& policy,
                        GitCallBudgets budgets) {
  auto services = std::make_shared<GitToolServices>(workspaces, settings, policy, budgets);
  register_git_read_tools(registry, services);
  register_git_write_tools(registry, services);
  register_git_branch_tools(registry, services);
  register_git_remote_tools(registry, services);
}

}  // namespace benchtop
