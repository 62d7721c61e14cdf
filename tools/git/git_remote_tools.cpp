// git_remote, git_fetch, git_pull, git_push and git_settings: working with other repositories.
// Credentials come from the project's git settings and are never echoed.
#include <string>
#include <variant>
#include <vector>

#include "server/git/git_error.h"
#include "tools/common/workspace_args.h"
#include "tools/git/git_common.h"

namespace benchtop {
namespace {

using nlohmann::json;

json remote_property() {
  return {{"type", "string"},
          {"minLength", 1},
          {"description", "Remote (default the upstream's, else origin)."}};
}

Result<git::RemotePtr> lookup_remote(git_repository* repo, const std::string& name) {
  if (auto status = git::refuse_option_like(name, "remote"); !status) return status.take_error();
  git_remote* raw = nullptr;
  const int rc = git_remote_lookup(&raw, repo, name.c_str());
  git::RemotePtr remote(raw);
  if (rc < 0) {
    return Error::make("No remote '" + name +
                           "'. See git_remote list, or add one with "
                           "git_remote action: add.",
                       "not_found");
  }
  return remote;
}

// The remote a branch pulls from (branch.<name>.remote), else "origin".
std::string default_remote(git_repository* repo, const std::string& branch) {
  if (branch.empty()) return "origin";
  git::GitBuf buf;
  const std::string ref = "refs/heads/" + branch;
  if (git_branch_upstream_remote(buf.get(), repo, ref.c_str()) == 0) return std::string(buf.view());
  return "origin";
}

ToolResult transfer_failure(const std::string& what, int rc,
                            const git::TransferCallbacks& callbacks) {
  return ToolResult::from_error(callbacks.failure(what, rc));
}

// Fetches remote `name` (its configured refspecs) into the repository: the remote, or the result
// that explains why not. git_fetch and git_pull both start with it.
std::variant<git::RemotePtr, ToolResult> fetch_remote(GitToolServices& services,
                                                      git_repository* repo, const std::string& name,
                                                      const json& arguments, ToolContext& context,
                                                      const char* reflog_message) {
  auto remote = lookup_remote(repo, name);
  if (!remote) return ToolResult::from_error(remote.error());
  auto options = transfer_options(services, arguments, context);
  if (!options) return ToolResult::from_error(options.error());
  git::TransferCallbacks callbacks(*options);
  git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
  callbacks.install(fetch);
  const int rc = git_remote_fetch(remote->get(), nullptr, &fetch, reflog_message);
  if (rc < 0) return transfer_failure("fetch from '" + name + "'", rc, callbacks);
  return std::move(remote).value();
}

Tool git_remote_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_remote";
  tool.title = "Git remote";
  tool.description = "List, add or remove remotes (" + services->policy.describe() +
                     " URLs; credentials go in git_settings).";
  tool.input_schema = object_schema({{"project", project_property()},
                                     {"action",
                                      {{"type", "string"},
                                       {"enum", {"list", "add", "remove"}},
                                       {"description", "list, add or remove."}}},
                                     {"name", string_property("Remote name, e.g. 'origin'.")},
                                     {"url", string_property("Remote URL, without credentials.")}},
                                    {"action"});
  tool.output_schema = object_schema(
      {{"remotes",
        {{"type", "array"},
         {"description", "Remotes after the action."},
         {"items", object_schema({{"name", string_property("Remote name.")},
                                  {"url", string_property("Fetch URL (credentials hidden).")}},
                                 {"name", "url"})}}}},
      {"remotes"});
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const std::string action = arguments.value("action", "list");
    const auto name = optional_string(arguments, "name");
    std::string text;
    if (action != "list") {
      if (!name) return ToolResult::error("`name` is required for " + action + ".");
      if (auto status = git::refuse_option_like(*name, "remote name"); !status) {
        return ToolResult::from_error(status.error());
      }
    }
    if (action == "add") {
      const auto url = optional_string(arguments, "url");
      if (!url || url->empty()) return ToolResult::error("`url` is required for add.");
      if (auto status = git::refuse_option_like(*url, "url"); !status) {
        return ToolResult::from_error(status.error());
      }
      // Checked here for a clear answer; fetch, pull and push check again on the URL they
      // actually use, since .git/config can be edited from inside the project.
      auto parsed = git::parse_remote_url(*url);
      if (!parsed) return ToolResult::from_error(parsed.error());
      if (auto status = git::refuse_embedded_credentials(*parsed); !status) {
        return ToolResult::from_error(status.error());
      }
      if (auto status = services->policy.check(*url); !status) {
        return ToolResult::from_error(status.error());
      }
      int valid = 0;
      if (git_remote_name_is_valid(&valid, name->c_str()) < 0 || !valid) {
        return ToolResult::error("Invalid remote name '" + *name + "': use e.g. 'origin'.");
      }
      git_remote* raw = nullptr;
      const int rc = git_remote_create(&raw, repo->get(), name->c_str(), url->c_str());
      git::RemotePtr remote(raw);
      if (rc == GIT_EEXISTS) {
        return ToolResult::error("Remote '" + *name +
                                 "' already exists; remove it first or "
                                 "choose another name.");
      }
      if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot add the remote", rc));
      text = "Added remote '" + *name + "' (" + git::redact_url(*url) + ").\n";
    } else if (action == "remove") {
      const int rc = git_remote_delete(repo->get(), name->c_str());
      if (rc == GIT_ENOTFOUND) return ToolResult::error("No remote '" + *name + "'.");
      if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot remove the remote", rc));
      text = "Removed remote '" + *name + "'.\n";
    }
    git::GitStrArray names;
    const int rc = git_remote_list(names.get(), repo->get());
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot list remotes", rc));
    json remotes = json::array();
    for (size_t i = 0; i < names.size(); ++i) {
      git_remote* raw = nullptr;
      if (git_remote_lookup(&raw, repo->get(), names[i]) < 0) continue;
      git::RemotePtr remote(raw);
      const char* url = git_remote_url(remote.get());
      const std::string shown = git::redact_url(url ? url : "");
      remotes.push_back({{"name", names[i]}, {"url", shown}});
      text += std::string(names[i]) + "\t" + shown + "\n";
    }
    if (remotes.empty()) text += "No remotes.";
    return ToolResult::success({{"remotes", std::move(remotes)}}, text);
  };
  return tool;
}

json transfer_stats(const git_indexer_progress* stats) {
  return {{"received_objects", stats ? stats->received_objects : 0},
          {"received_bytes", stats ? stats->received_bytes : 0}};
}

Tool git_fetch_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_fetch";
  tool.title = "Git fetch";
  tool.description =
      "Download a remote's new commits into remote-tracking branches without touching local ones.";
  tool.input_schema =
      object_schema({{"project", project_property()}, {"remote", remote_property()}});
  tool.output_schema = object_schema(
      {{"remote", string_property("The remote fetched.")},
       {"received_objects", {{"type", "integer"}, {"description", "Objects downloaded."}}},
       {"received_bytes", {{"type", "integer"}, {"description", "Bytes downloaded."}}}},
      {"remote", "received_objects", "received_bytes"});
  tool.annotations = {
      .read_only = false, .destructive = false, .idempotent = true, .open_world = true};
  tool.handler = [services](const json& arguments, ToolContext& context) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const std::string name =
        optional_string(arguments, "remote")
            .value_or(default_remote(repo->get(), git::current_branch(repo->get())));
    auto fetched = fetch_remote(*services, repo->get(), name, arguments, context, "fetch");
    if (auto* failed = std::get_if<ToolResult>(&fetched)) return std::move(*failed);
    json result = transfer_stats(git_remote_stats(std::get<git::RemotePtr>(fetched).get()));
    result["remote"] = name;
    return ToolResult::success(
        result, "Fetched from '" + name + "': " +
                    std::to_string(result["received_objects"].get<int64_t>()) + " new objects.");
  };
  return tool;
}

Tool git_pull_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_pull";
  tool.title = "Git pull";
  tool.description =
      "Fast-forward the current branch from its remote; refuses if histories diverged or local "
      "changes would be lost.";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"remote", remote_property()},
                     {"branch", string_property("Remote branch (default the current's name).")}});
  tool.output_schema = object_schema({{"result",
                                       {{"type", "string"},
                                        {"enum", {"up_to_date", "fast_forward"}},
                                        {"description", "What happened."}}},
                                      {"head", string_property("Commit id of HEAD afterwards.")}},
                                     {"result", "head"});
  tool.annotations = {
      .read_only = false, .destructive = false, .idempotent = true, .open_world = true};
  tool.handler = [services](const json& arguments, ToolContext& context) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const std::string branch = git::current_branch(repo->get());
    if (branch.empty()) {
      return ToolResult::error("HEAD is detached: git_checkout a branch before pulling.");
    }
    const std::string name =
        optional_string(arguments, "remote").value_or(default_remote(repo->get(), branch));
    const std::string remote_branch = optional_string(arguments, "branch").value_or(branch);
    if (auto valid = git::check_branch_name(remote_branch); !valid) {
      return ToolResult::from_error(valid.error());
    }
    auto fetched = fetch_remote(*services, repo->get(), name, arguments, context, "pull");
    if (auto* failed = std::get_if<ToolResult>(&fetched)) return std::move(*failed);

    const std::string tracking = "refs/remotes/" + name + "/" + remote_branch;
    git_reference* upstream_raw = nullptr;
    if (git_reference_lookup(&upstream_raw, repo->get(), tracking.c_str()) < 0) {
      return ToolResult::error("The remote '" + name + "' has no branch '" + remote_branch +
                               "'. Pass `branch`, or push this branch first with git_push.");
    }
    git::ReferencePtr upstream(upstream_raw);
    git_annotated_commit* head_raw = nullptr;
    int rc = git_annotated_commit_from_ref(&head_raw, repo->get(), upstream.get());
    git::AnnotatedCommitPtr their_head(head_raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot read " + tracking, rc));
    git_merge_analysis_t analysis;
    git_merge_preference_t preference;
    const git_annotated_commit* heads[] = {their_head.get()};
    rc = git_merge_analysis(&analysis, &preference, repo->get(), heads, 1);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot compare histories", rc));
    const git_oid* target_id = git_annotated_commit_id(their_head.get());
    if (analysis & GIT_MERGE_ANALYSIS_UP_TO_DATE) {
      git_oid head;
      git_reference_name_to_id(&head, repo->get(), "HEAD");
      return ToolResult::success({{"result", "up_to_date"}, {"head", git::full_id(&head)}},
                                 "Already up to date with " + name + "/" + remote_branch + ".");
    }
    if (!(analysis & GIT_MERGE_ANALYSIS_FASTFORWARD)) {
      return ToolResult::error(
          "Refused: '" + branch + "' and " + name + "/" + remote_branch +
          " have diverged, so a fast-forward is impossible and nothing was changed. Compare "
          "them with git_log (from: '" +
          name + "/" + remote_branch +
          "'), then rebase or merge by hand, or reset to the remote after the user agreed.");
    }
    git_commit* target_raw = nullptr;
    rc = git_commit_lookup(&target_raw, repo->get(), target_id);
    git::CommitPtr target(target_raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot read the commit", rc));
    git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
    checkout.checkout_strategy = GIT_CHECKOUT_SAFE;
    if (auto guarded = guard_work_tree(*repo, target.get()); !guarded) {
      return ToolResult::from_error(guarded.error());
    }
    rc = git_checkout_tree(repo->get(), reinterpret_cast<git_object*>(target.get()), &checkout);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot update the work tree", rc));
    const std::string local_ref = "refs/heads/" + branch;
    git_reference* updated_raw = nullptr;
    rc = git_reference_create(&updated_raw, repo->get(), local_ref.c_str(), target_id, 1,
                              "pull: fast-forward");
    git::ReferencePtr updated(updated_raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot move the branch", rc));
    const std::string head = git::full_id(target_id);
    return ToolResult::success({{"result", "fast_forward"}, {"head", head}},
                               "Fast-forwarded '" + branch + "' to " + head.substr(0, 7) + " (" +
                                   name + "/" + remote_branch + ").");
  };
  return tool;
}

Tool git_push_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_push";
  tool.title = "Git push";
  tool.description =
      "Push a branch (default the current) to a remote; never forces. HTTPS uses git_settings' "
      "token.";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"remote", remote_property()},
                     {"branch", string_property("Local branch to push.")},
                     {"set_upstream", boolean_property("Track the pushed branch as upstream.")}});
  tool.output_schema = object_schema({{"remote", string_property("The remote pushed to.")},
                                      {"branch", string_property("The branch pushed.")},
                                      {"head", string_property("The commit pushed.")}},
                                     {"remote", "branch", "head"});
  tool.annotations = {
      .read_only = false, .destructive = false, .idempotent = true, .open_world = true};
  tool.handler = [services](const json& arguments, ToolContext& context) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const std::string branch =
        optional_string(arguments, "branch").value_or(git::current_branch(repo->get()));
    if (branch.empty()) return ToolResult::error("HEAD is detached: pass `branch`.");
    if (auto valid = git::check_branch_name(branch); !valid) {
      return ToolResult::from_error(valid.error());
    }
    git_reference* local_raw = nullptr;
    if (git_branch_lookup(&local_raw, repo->get(), branch.c_str(), GIT_BRANCH_LOCAL) < 0) {
      return ToolResult::error("No local branch '" + branch +
                               "' (it needs at least one commit). See git_branch list.");
    }
    git::ReferencePtr local(local_raw);
    const std::string name =
        optional_string(arguments, "remote").value_or(default_remote(repo->get(), branch));
    auto remote = lookup_remote(repo->get(), name);
    if (!remote) return ToolResult::from_error(remote.error());
    auto options = transfer_options(*services, arguments, context);
    if (!options) return ToolResult::from_error(options.error());
    git::TransferCallbacks callbacks(*options);
    git_push_options push = GIT_PUSH_OPTIONS_INIT;
    callbacks.install(push);
    std::string refspec = "refs/heads/" + branch + ":refs/heads/" + branch;
    char* refspec_pointer = refspec.data();
    const git_strarray refspecs{&refspec_pointer, 1};
    const int rc = git_remote_push(remote->get(), &refspecs, &push);
    if (rc < 0) {
      ToolResult failure = transfer_failure("push to '" + name + "'", rc, callbacks);
      if (!callbacks.cancelled()) {
        failure.content[0]["text"] = failure.content[0]["text"].get<std::string>() +
                                     " If the remote has commits you do not (a non-fast-forward), "
                                     "git_pull first, then push again.";
      }
      return failure;
    }
    if (!callbacks.push_rejection().empty()) {
      return ToolResult::error("The remote rejected the push (" + callbacks.push_rejection() +
                               "). It probably has commits you do not: git_pull, then push "
                               "again.");
    }
    std::string text;
    if (arguments.value("set_upstream", false)) {
      const std::string upstream = name + "/" + branch;
      if (git_branch_set_upstream(local.get(), upstream.c_str()) < 0) {
        text = " (could not set the upstream to " + upstream + ")";
      } else {
        text = "; '" + branch + "' now tracks " + upstream;
      }
    }
    const git_oid* head = git_reference_target(local.get());
    const std::string head_id = head ? git::full_id(head) : "";
    return ToolResult::success(
        {{"remote", name}, {"branch", branch}, {"head", head_id}},
        "Pushed '" + branch + "' (" + head_id.substr(0, 7) + ") to '" + name + "'" + text + ".");
  };
  return tool;
}

json settings_json(const git::GitSettings& settings) {
  return {{"author_name",
           settings.author_name.empty() ? git::kDefaultAuthorName : settings.author_name},
          {"author_email",
           settings.author_email.empty() ? git::kDefaultAuthorEmail : settings.author_email},
          {"https_username", settings.https_username},
          {"https_host", settings.https_host},
          {"https_token_set", !settings.https_token.empty()}};
}

Tool git_settings_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_settings";
  tool.title = "Git settings";
  tool.description =
      "Show or set the commit author and an HTTPS username/token for one host (never shown back); "
      "\"\" clears.";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"author_name", {{"type", "string"}, {"maxLength", 200}}},
                     {"author_email", {{"type", "string"}, {"maxLength", 200}}},
                     {"https_username", {{"type", "string"}, {"maxLength", 200}}},
                     {"https_token",
                      {{"type", "string"},
                       {"maxLength", 4096},
                       {"description", "HTTPS token or password for https_host."}}},
                     {"https_host",
                      {{"type", "string"},
                       {"maxLength", 300},
                       {"description", "Host the token is for, e.g. 'github.com'."}}}});
  tool.output_schema = object_schema(
      {{"author_name", string_property("Author name used for commits.")},
       {"author_email", string_property("Author email used for commits.")},
       {"https_username", string_property("HTTPS username; empty for the default.")},
       {"https_host", string_property("Origin the token is sent to; empty if none.")},
       {"https_token_set", boolean_property("True when a token is stored.")}},
      {"author_name", "author_email", "https_username", "https_host", "https_token_set"});
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = true};
  tool.handler = [services](const json& arguments, ToolContext&) {
    git::GitSettingsUpdate update;
    update.author_name = optional_string(arguments, "author_name");
    update.author_email = optional_string(arguments, "author_email");
    update.https_username = optional_string(arguments, "https_username");
    update.https_token = optional_string(arguments, "https_token");
    update.https_host = optional_string(arguments, "https_host");
    const auto project = optional_string(arguments, "project");
    const bool changing = update.author_name || update.author_email || update.https_username ||
                          update.https_token || update.https_host;
    auto settings = changing ? services->settings.update(project, update)
                             : services->settings.settings(project);
    if (!settings) return ToolResult::from_error(settings.error());
    json result = settings_json(*settings);
    std::string text = std::string(changing ? "Saved. " : "") +
                       "Author: " + result["author_name"].get<std::string>() + " <" +
                       result["author_email"].get<std::string>() + ">; HTTPS token: " +
                       (settings->https_token.empty() ? "not set"
                        : settings->https_host.empty()
                            ? "set but bound to no host, so unused: set it again with https_host"
                            : "set (hidden), sent only to " + settings->https_host) +
                       ".";
    return ToolResult::success(std::move(result), text);
  };
  return tool;
}

}  // namespace

void register_git_remote_tools(ToolRegistry& registry,
                               const std::shared_ptr<GitToolServices>& services) {
  add_git_tool(registry, *services, git_remote_tool(services));
  add_git_tool(registry, *services, git_fetch_tool(services), GitCallKind::kTransfer);
  add_git_tool(registry, *services, git_pull_tool(services), GitCallKind::kTransfer);
  add_git_tool(registry, *services, git_push_tool(services), GitCallKind::kTransfer);
  add_git_tool(registry, *services, git_settings_tool(services));
}

}  // namespace benchtop
