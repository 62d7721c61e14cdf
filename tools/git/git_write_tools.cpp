// git_init, git_add, git_commit, git_reset, git_stash: tools that change the repository or its
// work tree.
#include <string>
#include <vector>

#include "server/git/git_error.h"
#include "tools/common/workspace_args.h"
#include "tools/git/git_common.h"

namespace benchtop {
namespace {

using nlohmann::json;

Result<git::IndexPtr> repository_index(git_repository* repo) {
  git_index* raw = nullptr;
  const int rc = git_repository_index(&raw, repo);
  if (rc < 0) return git::git_failure("Cannot open the index", rc);
  return git::IndexPtr(raw);
}

// Paths staged relative to HEAD, for reporting what a commit will contain.
std::vector<std::string> staged_paths(git_repository* repo) {
  std::vector<std::string> paths;
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_ONLY;
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repo, &options) < 0) return paths;
  git::StatusListPtr list(raw);
  const size_t count = git_status_list_entrycount(list.get());
  for (size_t i = 0; i < count; ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    if (entry->head_to_index && entry->head_to_index->new_file.path) {
      paths.push_back(entry->head_to_index->new_file.path);
    }
  }
  return paths;
}

Tool git_init_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_init";
  tool.title = "Git init";
  tool.description = "Create an empty git repository in the workspace (files are left untracked).";
  tool.input_schema = object_schema({{"project", project_property()},
                                     {"initial_branch",
                                      {{"type", "string"},
                                       {"minLength", 1},
                                       {"maxLength", 200},
                                       {"default", "main"},
                                       {"description", "Name of the first branch."}}}});
  tool.output_schema =
      object_schema({{"branch", string_property("The initial branch.")}}, {"branch"});
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = false};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto workspace = workspace_for(services->workspaces, arguments);
    if (!workspace) return ToolResult::from_error(workspace.error());
    const std::string branch = optional_string(arguments, "initial_branch").value_or("main");
    services->library.ensure();
    auto repo = git::init_repository(**workspace, branch);
    if (!repo) return ToolResult::from_error(repo.error());
    return ToolResult::success({{"branch", branch}},
                               "Initialised an empty repository on branch '" + branch +
                                   "'. Stage files with git_add, then git_commit.");
  };
  return tool;
}

Tool git_add_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_add";
  tool.title = "Git add";
  tool.description =
      "Stage paths (new, modified, deleted) or everything with all: true; ignored files are "
      "skipped.";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"paths", string_array_property("Files or directories to stage.")},
                     {"all", boolean_property("Stage every change.")}});
  tool.output_schema = object_schema(
      {{"staged", string_array_property("Every path now staged relative to HEAD.")}}, {"staged"});
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = true};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    auto paths = paths_argument(*repo->workspace, arguments, "paths");
    if (!paths) return ToolResult::from_error(paths.error());
    const bool all = arguments.value("all", false);
    if (paths->empty() && !all) {
      return ToolResult::error("Nothing to stage: pass paths (files or directories) or all: true.");
    }
    if (all) *paths = {"."};
    auto index = repository_index(repo->get());
    if (!index) return ToolResult::from_error(index.error());
    std::vector<char*> pointers;
    git_strarray pathspec = to_strarray(*paths, pointers);
    int rc = git_index_add_all(index->get(), &pathspec, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr);
    if (rc == 0) rc = git_index_update_all(index->get(), &pathspec, nullptr, nullptr);
    if (rc == 0) rc = git_index_write(index->get());
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot stage the changes", rc));
    const auto staged = staged_paths(repo->get());
    std::string text = staged.empty() ? "Nothing staged (no changes matched)."
                                      : std::to_string(staged.size()) + " path(s) staged:";
    for (const auto& path : staged) text += "\n  " + path;
    return ToolResult::success({{"staged", staged}}, text);
  };
  return tool;
}

Tool git_commit_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_commit";
  tool.title = "Git commit";
  tool.description =
      "Commit the staged changes on the current branch (author from `author` or git_settings).";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"message", {{"type", "string"}, {"minLength", 1}, {"maxLength", 100000}}},
                     {"author", string_property("Author, 'Name <email>'.")},
                     {"allow_empty", boolean_property("Commit even with nothing staged.")}},
                    {"message"});
  tool.output_schema = object_schema(
      {{"id", string_property("The new commit's id.")},
       {"branch", string_property("Branch that now points at it; empty when detached.")},
       {"files", string_array_property("Paths the commit changed.")}},
      {"id", "branch", "files"});
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = false};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    auto signature = author_signature(*services, arguments, optional_string(arguments, "author"));
    if (!signature) return ToolResult::from_error(signature.error());
    auto index = repository_index(repo->get());
    if (!index) return ToolResult::from_error(index.error());
    if (git_index_has_conflicts(index->get())) {
      return ToolResult::error(
          "Cannot commit with unresolved conflicts: fix the files listed "
          "as conflicted by git_status, git_add them, then commit.");
    }
    const auto files = staged_paths(repo->get());
    if (files.empty() && !arguments.value("allow_empty", false)) {
      return ToolResult::error(
          "Nothing is staged. Stage changes with git_add (see git_status), "
          "or pass allow_empty: true.");
    }
    git_oid tree_id;
    int rc = git_index_write_tree(&tree_id, index->get());
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot write the tree", rc));
    git_tree* tree_raw = nullptr;
    rc = git_tree_lookup(&tree_raw, repo->get(), &tree_id);
    git::TreePtr tree(tree_raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot read the tree", rc));

    std::vector<git::CommitPtr> parents;
    if (git_repository_head_unborn(repo->get()) != 1) {
      auto head = git::resolve_commit(repo->get(), "HEAD");
      if (!head) return ToolResult::from_error(head.error());
      parents.push_back(std::move(head).value());
    }
    std::vector<const git_commit*> parent_pointers;
    for (const auto& parent : parents) parent_pointers.push_back(parent.get());
    const std::string message = arguments.value("message", "");
    git_oid commit_id;
    rc = git_commit_create(&commit_id, repo->get(), "HEAD", signature->get(), signature->get(),
                           nullptr, message.c_str(), tree.get(), parent_pointers.size(),
                           parent_pointers.data());
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot create the commit", rc));
    const std::string branch = git::current_branch(repo->get());
    const std::string id = git::full_id(&commit_id);
    std::string text = "[" + (branch.empty() ? std::string("detached HEAD") : branch) + " " +
                       id.substr(0, 7) + "] " + message.substr(0, message.find('\n')) + "\n" +
                       std::to_string(files.size()) + " file(s) changed";
    return ToolResult::success({{"id", id}, {"branch", branch}, {"files", files}}, text);
  };
  return tool;
}

Tool git_reset_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_reset";
  tool.title = "Git reset";
  tool.description =
      "Move the current branch to rev: soft keeps changes staged, mixed unstages, hard discards "
      "them (confirmed).";
  tool.input_schema = object_schema(
      {{"project", project_property()},
       {"mode",
        {{"type", "string"},
         {"enum", {"soft", "mixed", "hard"}},
         {"default", "mixed"},
         {"description", "soft, mixed or hard."}}},
       {"rev", string_property("Revision to move to.")},
       {"confirm", boolean_property("Confirms a hard reset if the client cannot ask.")}});
  tool.output_schema = object_schema({{"head", string_property("The commit HEAD now points at.")},
                                      {"mode", string_property("The mode applied.")}},
                                     {"head", "mode"});
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.handler = [services](const json& arguments, ToolContext& context) {
    const std::string mode = arguments.value("mode", "mixed");
    if (mode == "hard") {
      if (auto refusal = require_confirmation(arguments, context, "A hard reset")) {
        return *refusal;
      }
    }
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    auto target = git::resolve_commit(repo->get(), arguments.value("rev", "HEAD"));
    if (!target) return ToolResult::from_error(target.error());
    const git_reset_t type = mode == "soft"   ? GIT_RESET_SOFT
                             : mode == "hard" ? GIT_RESET_HARD
                                              : GIT_RESET_MIXED;
    git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
    checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (type == GIT_RESET_HARD) {
      if (auto guarded = guard_work_tree(*repo, target->get()); !guarded) {
        return ToolResult::from_error(guarded.error());
      }
    }
    const int rc = git_reset(repo->get(), reinterpret_cast<git_object*>(target->get()), type,
                             type == GIT_RESET_HARD ? &checkout : nullptr);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot reset", rc));
    const std::string head = git::full_id(git_commit_id(target->get()));
    return ToolResult::success({{"head", head}, {"mode", mode}},
                               "Reset (" + mode + ") to " + head.substr(0, 7) + ".");
  };
  return tool;
}

struct StashEntry {
  size_t index;
  std::string message;
  std::string id;
};

int collect_stash(size_t index, const char* message, const git_oid* id, void* payload) {
  static_cast<std::vector<StashEntry>*>(payload)->push_back(
      {index, message ? message : "", git::full_id(id)});
  return 0;
}

Tool git_stash_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_stash";
  tool.title = "Git stash";
  tool.description =
      "push: set uncommitted changes aside and clean the work tree; pop: re-apply the newest; "
      "list.";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"action",
                      {{"type", "string"},
                       {"enum", {"push", "pop", "list"}},
                       {"description", "push, pop or list."}}},
                     {"message", string_property("Message for push.")},
                     {"include_untracked", boolean_property("push: include untracked files.")}},
                    {"action"});
  tool.output_schema = object_schema(
      {{"action", string_property("The action done.")},
       {"stashes",
        {{"type", "array"},
         {"description", "Stashes after the action, newest first."},
         {"items", object_schema({{"index", {{"type", "integer"}, {"description", "0 = newest."}}},
                                  {"message", string_property("Its description.")},
                                  {"id", string_property("Stash commit id.")}},
                                 {"index", "message", "id"})}}}},
      {"action", "stashes"});
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = false};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const std::string action = arguments.value("action", "list");
    std::string text;
    if (action == "push") {
      auto signature = author_signature(*services, arguments, std::nullopt);
      if (!signature) return ToolResult::from_error(signature.error());
      const std::string message = arguments.value("message", "");
      git_oid id;
      const uint32_t flags = arguments.value("include_untracked", false)
                                 ? GIT_STASH_INCLUDE_UNTRACKED
                                 : GIT_STASH_DEFAULT;
      // Stashing resets the work tree to HEAD.
      auto head = git::resolve_commit(repo->get(), "HEAD");
      if (auto guarded = guard_work_tree(*repo, head ? head->get() : nullptr); !guarded) {
        return ToolResult::from_error(guarded.error());
      }
      const int rc = git_stash_save(&id, repo->get(), signature->get(),
                                    message.empty() ? nullptr : message.c_str(), flags);
      if (rc == GIT_ENOTFOUND) {
        return ToolResult::error(
            "Nothing to stash: there are no local changes"
            " (untracked files need include_untracked: true).");
      }
      if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot stash", rc));
      text = "Stashed the changes as " + git::short_id(&id) + "; the work tree is clean.";
    } else if (action == "pop") {
      git_stash_apply_options options = GIT_STASH_APPLY_OPTIONS_INIT;
      std::vector<StashEntry> stashes;
      git_stash_foreach(repo->get(), &collect_stash, &stashes);
      if (stashes.empty()) return ToolResult::error("There is no stash to pop.");
      auto stash = git::resolve_commit(repo->get(), stashes.front().id);
      if (!stash) return ToolResult::from_error(stash.error());
      if (auto guarded = guard_work_tree(*repo, stash->get()); !guarded) {
        return ToolResult::from_error(guarded.error());
      }
      const int rc = git_stash_pop(repo->get(), 0, &options);
      if (rc == GIT_ENOTFOUND) return ToolResult::error("There is no stash to pop.");
      if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot pop the stash", rc));
      text = "Re-applied and dropped the newest stash.";
    }
    std::vector<StashEntry> entries;
    git_stash_foreach(repo->get(), &collect_stash, &entries);
    json stashes = json::array();
    for (const auto& entry : entries) {
      stashes.push_back({{"index", entry.index}, {"message", entry.message}, {"id", entry.id}});
    }
    if (action == "list") {
      text = entries.empty() ? "No stashes." : std::to_string(entries.size()) + " stash(es):";
      for (const auto& entry : entries) {
        text += "\n  stash@{" + std::to_string(entry.index) + "}: " + entry.message;
      }
    }
    return ToolResult::success({{"action", action}, {"stashes", std::move(stashes)}}, text);
  };
  return tool;
}

}  // namespace

void register_git_write_tools(ToolRegistry& registry,
                              const std::shared_ptr<GitToolServices>& services) {
  add_git_tool(registry, *services, git_init_tool(services));
  add_git_tool(registry, *services, git_add_tool(services));
  add_git_tool(registry, *services, git_commit_tool(services));
  add_git_tool(registry, *services, git_reset_tool(services));
  add_git_tool(registry, *services, git_stash_tool(services));
}

}  // namespace benchtop
