// git_branch and git_checkout: listing, creating, deleting and switching branches.
#include <string>
#include <vector>

#include "server/git/git_error.h"
#include "tools/common/workspace_args.h"
#include "tools/git/git_common.h"

namespace benchtop {
namespace {

using nlohmann::json;

Tool git_branch_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_branch";
  tool.title = "Git branch";
  tool.description = "List, create or delete branches (create does not switch: use git_checkout).";
  tool.input_schema = object_schema({{"project", project_property()},
                                     {"action",
                                      {{"type", "string"},
                                       {"enum", {"list", "create", "delete"}},
                                       {"description", "list, create or delete."}}},
                                     {"name", string_property("Branch name, e.g. 'ticket/42'.")},
                                     {"from", string_property("Start revision for create.")},
                                     {"force", boolean_property("Delete even if not merged.")}},
                                    {"action"});
  tool.output_schema = object_schema(
      {{"current", string_property("Current branch; empty when detached.")},
       {"branches",
        {{"type", "array"},
         {"description", "Branches after the action."},
         {"items",
          object_schema({{"name", string_property("Short name (origin/main for remote ones).")},
                         {"remote", boolean_property("True for remote-tracking branches.")},
                         {"current", boolean_property("True for the checked-out branch.")},
                         {"commit", string_property("Commit id it points at.")}},
                        {"name", "remote", "current", "commit"})}}}},
      {"current", "branches"});
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const std::string action = arguments.value("action", "list");
    const auto name = optional_string(arguments, "name");
    std::string text;
    if (action != "list") {
      if (!name) return ToolResult::error("`name` is required for " + action + ".");
      if (auto valid = git::check_branch_name(*name); !valid) {
        return ToolResult::from_error(valid.error());
      }
    }
    if (action == "create") {
      auto from = git::resolve_commit(repo->get(), arguments.value("from", "HEAD"));
      if (!from) return ToolResult::from_error(from.error());
      git_reference* raw = nullptr;
      const int rc = git_branch_create(&raw, repo->get(), name->c_str(), from->get(), 0);
      git::ReferencePtr created(raw);
      if (rc == GIT_EEXISTS) {
        return ToolResult::error("Branch '" + *name +
                                 "' already exists. Switch to it with git_checkout, or choose "
                                 "another name.");
      }
      if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot create the branch", rc));
      text =
          "Created branch '" + *name + "' at " + git::short_id(git_commit_id(from->get())) + ".\n";
    } else if (action == "delete") {
      git_reference* raw = nullptr;
      int rc = git_branch_lookup(&raw, repo->get(), name->c_str(), GIT_BRANCH_LOCAL);
      git::ReferencePtr branch(raw);
      if (rc < 0) {
        return ToolResult::error("No local branch '" + *name + "'. See git_branch list.");
      }
      if (git_branch_is_head(branch.get()) == 1) {
        return ToolResult::error("Cannot delete '" + *name +
                                 "': it is checked out. git_checkout another branch first.");
      }
      if (!arguments.value("force", false) && git_repository_head_unborn(repo->get()) != 1) {
        git_oid head;
        if (git_reference_name_to_id(&head, repo->get(), "HEAD") == 0) {
          const git_oid* tip = git_reference_target(branch.get());
          if (tip && !git_oid_equal(tip, &head) &&
              git_graph_descendant_of(repo->get(), &head, tip) != 1) {
            return ToolResult::error("Branch '" + *name +
                                     "' has commits not merged into HEAD; deleting it would lose "
                                     "them. Merge it first, or pass force: true.");
          }
        }
      }
      rc = git_branch_delete(branch.get());
      if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot delete the branch", rc));
      text = "Deleted branch '" + *name + "'.\n";
    }

    git_branch_iterator* iterator_raw = nullptr;
    int rc = git_branch_iterator_new(&iterator_raw, repo->get(), GIT_BRANCH_ALL);
    git::BranchIteratorPtr iterator(iterator_raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot list branches", rc));
    json branches = json::array();
    git_reference* reference_raw = nullptr;
    git_branch_t type;
    while (git_branch_next(&reference_raw, &type, iterator.get()) == 0) {
      git::ReferencePtr reference(reference_raw);
      const char* short_name = nullptr;
      git_branch_name(&short_name, reference.get());
      const git_oid* target = git_reference_target(reference.get());
      if (!short_name || !target) continue;  // e.g. origin/HEAD, a symbolic ref
      const bool current = type == GIT_BRANCH_LOCAL && git_branch_is_head(reference.get()) == 1;
      branches.push_back({{"name", short_name},
                          {"remote", type == GIT_BRANCH_REMOTE},
                          {"current", current},
                          {"commit", git::full_id(target)}});
      text += std::string(current ? "* " : "  ") + (type == GIT_BRANCH_REMOTE ? "remotes/" : "") +
              short_name + " " + git::short_id(target) + "\n";
    }
    bool unborn = false;
    const std::string current = git::current_branch(repo->get(), &unborn);
    if (branches.empty())
      text +=
          "No branches yet" + (unborn ? " (no commits on '" + current + "')" : std::string()) + ".";
    return ToolResult::success({{"current", current}, {"branches", std::move(branches)}}, text);
  };
  return tool;
}

Tool git_checkout_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_checkout";
  tool.title = "Git checkout";
  tool.description =
      "Switch to a branch (or make it with create), or to commit rev. Refuses over uncommitted "
      "changes unless force.";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"branch", string_property("Branch to switch to.")},
                     {"rev", string_property("Commit to check out, or where create starts.")},
                     {"create", boolean_property("Create `branch` first.")},
                     {"force", boolean_property("Discard uncommitted changes.")}});
  tool.output_schema =
      object_schema({{"branch", string_property("Branch now checked out; empty when detached.")},
                     {"head", string_property("Commit id of HEAD; empty on an unborn branch.")}},
                    {"branch", "head"});
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const auto branch = optional_string(arguments, "branch");
    const auto rev = optional_string(arguments, "rev");
    const bool create = arguments.value("create", false);
    const bool force = arguments.value("force", false);
    if (!branch && !rev) return ToolResult::error("Pass `branch` (or `rev` for a detached HEAD).");
    if (create && !branch) return ToolResult::error("create: true needs `branch` (the new name).");
    if (branch) {
      if (auto valid = git::check_branch_name(*branch); !valid) {
        return ToolResult::from_error(valid.error());
      }
    }
    const bool unborn = git_repository_head_unborn(repo->get()) == 1;
    if (unborn && create && !rev) {
      // No commit to check out yet: just point HEAD at the new branch name.
      const std::string ref = "refs/heads/" + *branch;
      const int rc = git_repository_set_head(repo->get(), ref.c_str());
      if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot switch branch", rc));
      return ToolResult::success({{"branch", *branch}, {"head", ""}},
                                 "Switched to the new branch '" + *branch + "' (no commits yet).");
    }
    if (!force) {
      auto dirty = has_uncommitted_changes(repo->get());
      if (!dirty) return ToolResult::from_error(dirty.error());
      if (*dirty) {
        return ToolResult::error(
            "Refused: tracked files have uncommitted changes that the checkout could overwrite. "
            "Commit them (git_add, git_commit), set them aside (git_stash push), or pass "
            "force: true to discard them after the user agreed.");
      }
    }

    std::string ref_name;  // empty: detached
    git::CommitPtr target;
    if (branch && !create) {
      git_reference* raw = nullptr;
      if (git_branch_lookup(&raw, repo->get(), branch->c_str(), GIT_BRANCH_LOCAL) == 0) {
        git::ReferencePtr local(raw);
        ref_name = git_reference_name(local.get());
        auto commit = git::resolve_commit(repo->get(), ref_name);
        if (!commit) return ToolResult::from_error(commit.error());
        target = std::move(commit).value();
      } else {
        // A remote branch of that name: create a local branch tracking it.
        git_reference* remote_raw = nullptr;
        const std::string remote_name = "origin/" + *branch;
        if (git_branch_lookup(&remote_raw, repo->get(), remote_name.c_str(), GIT_BRANCH_REMOTE) !=
            0) {
          return ToolResult::error("No branch '" + *branch +
                                   "'. See git_branch list, or pass create: true to make it.");
        }
        git::ReferencePtr remote(remote_raw);
        auto commit = git::resolve_commit(repo->get(), git_reference_name(remote.get()));
        if (!commit) return ToolResult::from_error(commit.error());
        git_reference* created_raw = nullptr;
        int rc = git_branch_create(&created_raw, repo->get(), branch->c_str(), commit->get(), 0);
        git::ReferencePtr created(created_raw);
        if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot create the branch", rc));
        git_branch_set_upstream(created.get(), remote_name.c_str());
        ref_name = git_reference_name(created.get());
        target = std::move(commit).value();
      }
    } else {
      auto commit = git::resolve_commit(repo->get(), rev.value_or("HEAD"));
      if (!commit) return ToolResult::from_error(commit.error());
      target = std::move(commit).value();
      if (create) {
        git_reference* raw = nullptr;
        const int rc = git_branch_create(&raw, repo->get(), branch->c_str(), target.get(), 0);
        git::ReferencePtr created(raw);
        if (rc == GIT_EEXISTS) {
          return ToolResult::error("Branch '" + *branch +
                                   "' already exists: switch to it without create.");
        }
        if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot create the branch", rc));
        ref_name = git_reference_name(created.get());
      }
    }

    git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
    options.checkout_strategy = force ? GIT_CHECKOUT_FORCE : GIT_CHECKOUT_SAFE;
    if (auto guarded = guard_work_tree(*repo, target.get()); !guarded) {
      return ToolResult::from_error(guarded.error());
    }
    int rc = git_checkout_tree(repo->get(), reinterpret_cast<git_object*>(target.get()), &options);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot check out", rc));
    rc = ref_name.empty()
             ? git_repository_set_head_detached(repo->get(), git_commit_id(target.get()))
             : git_repository_set_head(repo->get(), ref_name.c_str());
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot move HEAD", rc));
    const std::string head = git::full_id(git_commit_id(target.get()));
    const std::string now = git::current_branch(repo->get());
    const std::string text = now.empty()
                                 ? "HEAD is now detached at " + head.substr(0, 7) + "."
                                 : "Switched to branch '" + now + "' at " + head.substr(0, 7) + ".";
    return ToolResult::success({{"branch", now}, {"head", head}}, text);
  };
  return tool;
}

}  // namespace

void register_git_branch_tools(ToolRegistry& registry,
                               const std::shared_ptr<GitToolServices>& services) {
  add_git_tool(registry, *services, git_branch_tool(services));
  add_git_tool(registry, *services, git_checkout_tool(services));
}

}  // namespace benchtop
