// git_status, git_diff, git_log, git_show: read-only views of a project's repository.
#include <string>
#include <vector>

#include "server/git/git_error.h"
#include "server/workspace/path_escape.h"
#include "tools/common/output_budget.h"
#include "tools/common/workspace_args.h"
#include "tools/git/git_common.h"

namespace benchtop {
namespace {

using nlohmann::json;

const char* delta_name(git_delta_t status) {
  switch (status) {
    case GIT_DELTA_ADDED:
      return "added";
    case GIT_DELTA_DELETED:
      return "deleted";
    case GIT_DELTA_MODIFIED:
      return "modified";
    case GIT_DELTA_RENAMED:
      return "renamed";
    case GIT_DELTA_COPIED:
      return "copied";
    case GIT_DELTA_TYPECHANGE:
      return "typechange";
    case GIT_DELTA_UNTRACKED:
      return "untracked";
    case GIT_DELTA_CONFLICTED:
      return "conflicted";
    default:
      return "unmodified";
  }
}

// Escaped (path_escape.h): a name with a newline cannot forge a line, and any name can be passed
// back as a path.
std::string entry_path(const git_diff_delta* delta) {
  if (!delta) return "";
  if (delta->new_file.path) return escape_path(delta->new_file.path);
  return delta->old_file.path ? escape_path(delta->old_file.path) : "";
}

// ---- git_status -------------------------------------------------------------------------------

json change_list_schema(const std::string& description) {
  return {
      {"type", "array"},
      {"description", description},
      {"items", object_schema({{"path", string_property("Path relative to the project root.")},
                               {"status", string_property("added, modified, deleted, renamed or "
                                                          "typechange.")},
                               {"old_path", string_property("Previous path of a renamed file.")}},
                              {"path", "status"})}};
}

Tool git_status_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_status";
  tool.title = "Git status";
  tool.description =
      "Branch, upstream ahead/behind, staged, unstaged, untracked and conflicted files.";
  tool.input_schema = object_schema({{"project", project_property()}});
  tool.output_schema = object_schema(
      {{"branch", string_property("Current branch; empty when HEAD is detached.")},
       {"head", string_property("Commit id of HEAD; empty before the first commit.")},
       {"unborn", boolean_property("True before the first commit.")},
       {"upstream", string_property("Upstream branch, e.g. origin/main; absent when none.")},
       {"ahead", {{"type", "integer"}, {"description", "Commits on HEAD not on the upstream."}}},
       {"behind", {{"type", "integer"}, {"description", "Commits on the upstream not on HEAD."}}},
       {"staged", change_list_schema("Changes in the index (will be committed).")},
       {"unstaged", change_list_schema("Changes in the work tree not yet staged.")},
       {"untracked", string_array_property("Files git does not track yet.")},
       {"conflicted", string_array_property("Paths with merge conflicts.")},
       {"clean", boolean_property("True when there is nothing to commit.")}},
      {"branch", "head", "unborn", "staged", "unstaged", "untracked", "conflicted", "clean"});
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    bool unborn = false;
    const std::string branch = git::current_branch(repo->get(), &unborn);
    std::string head;
    git_oid head_oid;
    if (!unborn && git_reference_name_to_id(&head_oid, repo->get(), "HEAD") == 0) {
      head = git::full_id(&head_oid);
    }

    git_status_options options = GIT_STATUS_OPTIONS_INIT;
    options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                    GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY |
                    GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list* raw = nullptr;
    const int rc = git_status_list_new(&raw, repo->get(), &options);
    git::StatusListPtr list(raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot read the status", rc));

    json staged = json::array(), unstaged = json::array(), untracked = json::array(),
         conflicted = json::array();
    const size_t count = git_status_list_entrycount(list.get());
    for (size_t i = 0; i < count; ++i) {
      const git_status_entry* entry = git_status_byindex(list.get(), i);
      const unsigned flags = entry->status;
      if (flags & GIT_STATUS_CONFLICTED) {
        conflicted.push_back(
            entry_path(entry->index_to_workdir ? entry->index_to_workdir : entry->head_to_index));
        continue;
      }
      if (flags & GIT_STATUS_WT_NEW) {
        untracked.push_back(entry_path(entry->index_to_workdir));
        continue;
      }
      if (entry->head_to_index) {
        json item = {{"path", entry_path(entry->head_to_index)},
                     {"status", delta_name(entry->head_to_index->status)}};
        if (entry->head_to_index->status == GIT_DELTA_RENAMED) {
          item["old_path"] = escape_path(entry->head_to_index->old_file.path);
        }
        staged.push_back(std::move(item));
      }
      if (entry->index_to_workdir && (flags & (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_DELETED |
                                               GIT_STATUS_WT_TYPECHANGE | GIT_STATUS_WT_RENAMED))) {
        unstaged.push_back({{"path", entry_path(entry->index_to_workdir)},
                            {"status", delta_name(entry->index_to_workdir->status)}});
      }
    }

    const bool clean =
        staged.empty() && unstaged.empty() && untracked.empty() && conflicted.empty();
    json result = {{"branch", branch},         {"head", head},         {"unborn", unborn},
                   {"staged", staged},         {"unstaged", unstaged}, {"untracked", untracked},
                   {"conflicted", conflicted}, {"clean", clean}};

    std::string text =
        branch.empty() ? "HEAD detached at " + head.substr(0, 7) : "On branch " + branch;
    if (unborn) text += " (no commits yet)";
    if (!branch.empty() && !unborn) {
      git_reference* local_raw = nullptr;
      git_reference* upstream_raw = nullptr;
      if (git_branch_lookup(&local_raw, repo->get(), branch.c_str(), GIT_BRANCH_LOCAL) == 0) {
        git::ReferencePtr local(local_raw);
        if (git_branch_upstream(&upstream_raw, local.get()) == 0) {
          git::ReferencePtr upstream(upstream_raw);
          const char* name = nullptr;
          git_branch_name(&name, upstream.get());
          size_t ahead = 0, behind = 0;
          const git_oid* local_oid = git_reference_target(local.get());
          const git_oid* upstream_oid = git_reference_target(upstream.get());
          if (local_oid && upstream_oid &&
              git_graph_ahead_behind(&ahead, &behind, repo->get(), local_oid, upstream_oid) == 0) {
            result["upstream"] = name ? name : "";
            result["ahead"] = ahead;
            result["behind"] = behind;
            text += "\nUpstream " + std::string(name ? name : "") + ": " + std::to_string(ahead) +
                    " ahead, " + std::to_string(behind) + " behind";
          }
        }
      }
    }
    auto render = [&text](const char* title, const json& items) {
      if (items.empty()) return;
      text += std::string("\n") + title + ":";
      for (const auto& item : items) {
        if (item.is_string()) {
          text += "\n  " + item.get<std::string>();
        } else {
          text +=
              "\n  " + item["status"].get<std::string>() + ": " + item["path"].get<std::string>();
        }
      }
    };
    render("Staged", staged);
    render("Unstaged", unstaged);
    render("Untracked", untracked);
    render("Conflicted", conflicted);
    if (clean) text += "\nNothing to commit, working tree clean.";
    return ToolResult::success(std::move(result), std::move(text));
  };
  return tool;
}

// ---- patches ----------------------------------------------------------------------------------

struct PatchText {
  std::string text;
  size_t limit = kDefaultOutputBudget;
  bool truncated = false;
};

int append_line(const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line,
                void* payload) {
  auto* patch = static_cast<PatchText*>(payload);
  if (patch->truncated) return 0;
  std::string chunk;
  if (line->origin == GIT_DIFF_LINE_CONTEXT || line->origin == GIT_DIFF_LINE_ADDITION ||
      line->origin == GIT_DIFF_LINE_DELETION) {
    chunk.push_back(line->origin);
  }
  chunk.append(line->content, line->content_len);
  if (patch->text.size() + chunk.size() > patch->limit) {
    patch->truncated = true;
    return 0;
  }
  patch->text += chunk;
  return 0;
}

struct DiffSummary {
  json files = json::array();
  size_t insertions = 0;
  size_t deletions = 0;
};

Result<DiffSummary> summarize(git_diff* diff) {
  DiffSummary summary;
  const size_t count = git_diff_num_deltas(diff);
  for (size_t i = 0; i < count; ++i) {
    git_patch* raw = nullptr;
    if (git_patch_from_diff(&raw, diff, i) < 0) return git::git_failure("Cannot read a patch", -1);
    git::PatchPtr patch(raw);
    size_t context = 0, additions = 0, deletions = 0;
    const git_diff_delta* delta = git_diff_get_delta(diff, i);
    if (patch) git_patch_line_stats(&context, &additions, &deletions, patch.get());
    summary.insertions += additions;
    summary.deletions += deletions;
    json file = {{"path", entry_path(delta)},
                 {"status", delta_name(delta->status)},
                 {"additions", additions},
                 {"deletions", deletions},
                 {"binary", (delta->flags & GIT_DIFF_FLAG_BINARY) != 0}};
    summary.files.push_back(std::move(file));
  }
  return summary;
}

json diff_output_schema() {
  return object_schema(
      {{"patch", string_property("Unified diff (absent when stat is true); over 512 bytes, its "
                                 "start and end only: the text carries it within the budget.")},
       {"truncated", boolean_property("True when the patch was cut at max_output_bytes.")},
       {"files",
        {{"type", "array"},
         {"description", "Changed files with line counts."},
         {"items",
          object_schema({{"path", string_property("Path.")},
                         {"status", string_property("added, modified, deleted, renamed, ...")},
                         {"additions", {{"type", "integer"}, {"description", "Added lines."}}},
                         {"deletions", {{"type", "integer"}, {"description", "Deleted lines."}}},
                         {"binary", boolean_property("True for binary files.")}},
                        {"path", "status", "additions", "deletions", "binary"})}}},
       {"insertions", {{"type", "integer"}, {"description", "Total added lines."}}},
       {"deletions", {{"type", "integer"}, {"description", "Total deleted lines."}}}},
      {"truncated", "files", "insertions", "deletions"});
}

// Renders a diff as structured output and text, the patch capped at `limit` bytes in the text
// (structuredContent carries a preview of a longer one). Untracked files whose content the caller
// did not ask for are listed, not shown.
ToolResult render_diff(git_diff* diff, bool stat_only, size_t limit, const std::string& heading) {
  auto summary = summarize(diff);
  if (!summary) return ToolResult::from_error(summary.error());
  json result = {{"files", summary->files},
                 {"insertions", summary->insertions},
                 {"deletions", summary->deletions},
                 {"truncated", false}};
  std::string text = heading;
  if (summary->files.empty()) {
    text += "No differences.";
    if (!stat_only) result["patch"] = "";
    return ToolResult::success(std::move(result), std::move(text));
  }
  std::string untracked;
  for (const auto& file : summary->files) {
    if (file["status"] == "untracked") untracked += "  " + file["path"].get<std::string>() + "\n";
  }
  if (stat_only) {
    for (const auto& file : summary->files) {
      text += file["path"].get<std::string>() + " | +" +
              std::to_string(file["additions"].get<size_t>()) + " -" +
              std::to_string(file["deletions"].get<size_t>()) + "\n";
    }
    text += std::to_string(summary->files.size()) + " files changed, " +
            std::to_string(summary->insertions) + " insertions(+), " +
            std::to_string(summary->deletions) + " deletions(-)";
    return ToolResult::success(std::move(result), std::move(text));
  }
  PatchText patch;
  patch.limit = limit;
  const int rc = git_diff_print(diff, GIT_DIFF_FORMAT_PATCH, &append_line, &patch);
  if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot render the diff", rc));
  result["patch"] = head_and_tail(patch.text, kStructuredPreviewBytes, "").text;
  result["truncated"] = patch.truncated;
  text += patch.text;
  if (patch.truncated) {
    text += "\n[diff cut at " + std::to_string(limit) + " bytes; " +
            std::to_string(summary->files.size()) +
            " files changed in total. Narrow it with `paths`, use stat: true, or raise "
            "max_output_bytes]";
  }
  if (!untracked.empty()) {
    text +=
        "\nUntracked files (content not shown; untracked_content: true shows it):\n" + untracked;
  }
  return ToolResult::success(std::move(result), std::move(text));
}

Result<git::TreePtr> commit_tree(git_commit* commit) {
  git_tree* raw = nullptr;
  const int rc = git_commit_tree(&raw, commit);
  if (rc < 0) return git::git_failure("Cannot read a commit's tree", rc);
  return git::TreePtr(raw);
}

// The tree of HEAD, or null before the first commit.
Result<git::TreePtr> head_tree(git_repository* repo) {
  if (git_repository_head_unborn(repo) == 1) return git::TreePtr();
  auto head = git::resolve_commit(repo, "HEAD");
  if (!head) return head.take_error();
  return commit_tree(head->get());
}

Tool git_diff_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_diff";
  tool.title = "Git diff";
  tool.description =
      "Unified diff: unstaged, staged, or revisions from/to. Untracked files are listed (content "
      "with untracked_content).";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"staged", {{"type", "boolean"}}},
                     {"from", string_property("Base revision.")},
                     {"to", string_property("Target revision (default the work tree).")},
                     {"paths", string_array_property("Only these paths.")},
                     {"stat", boolean_property("Only per-file line counts.")},
                     {"untracked_content", boolean_property("Include untracked files' content.")},
                     {"context",
                      {{"type", "integer"},
                       {"minimum", 0},
                       {"maximum", 1000},
                       {"default", 3},
                       {"description", "Context lines."}}},
                     {"max_output_bytes", output_budget_property()}});
  tool.output_schema = diff_output_schema();
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    auto paths = paths_argument(*repo->workspace, arguments, "paths");
    if (!paths) return ToolResult::from_error(paths.error());
    std::vector<char*> pointers;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    options.pathspec = to_strarray(*paths, pointers);
    options.context_lines = arguments.value("context", 3);
    const auto from = optional_string(arguments, "from");
    const auto to = optional_string(arguments, "to");
    const bool staged = arguments.value("staged", false);
    // New files are always listed; their content (a generated file can be huge) only on request,
    // or counted for stat, whose output stays one line per file.
    const uint32_t untracked_flags =
        GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
        (arguments.value("untracked_content", false) || arguments.value("stat", false)
             ? static_cast<uint32_t>(GIT_DIFF_SHOW_UNTRACKED_CONTENT)
             : 0u);
    if (to && !from) return ToolResult::error("`to` needs `from`: pass both revisions.");
    if (staged && from) {
      return ToolResult::error("Use either staged or from/to, not both.");
    }

    git_diff* raw = nullptr;
    int rc = 0;
    std::string heading;
    if (from) {
      auto from_commit = git::resolve_commit(repo->get(), *from);
      if (!from_commit) return ToolResult::from_error(from_commit.error());
      auto from_tree = commit_tree(from_commit->get());
      if (!from_tree) return ToolResult::from_error(from_tree.error());
      if (to) {
        auto to_commit = git::resolve_commit(repo->get(), *to);
        if (!to_commit) return ToolResult::from_error(to_commit.error());
        auto to_tree = commit_tree(to_commit->get());
        if (!to_tree) return ToolResult::from_error(to_tree.error());
        rc = git_diff_tree_to_tree(&raw, repo->get(), from_tree->get(), to_tree->get(), &options);
      } else {
        options.flags |= untracked_flags;
        rc = git_diff_tree_to_workdir_with_index(&raw, repo->get(), from_tree->get(), &options);
      }
    } else if (staged) {
      auto tree = head_tree(repo->get());
      if (!tree) return ToolResult::from_error(tree.error());
      rc = git_diff_tree_to_index(&raw, repo->get(), tree->get(), nullptr, &options);
    } else {
      options.flags |= untracked_flags;
      rc = git_diff_index_to_workdir(&raw, repo->get(), nullptr, &options);
    }
    git::DiffPtr diff(raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot compute the diff", rc));
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    git_diff_find_similar(diff.get(), &find);
    return render_diff(diff.get(), arguments.value("stat", false), output_budget(arguments),
                       heading);
  };
  return tool;
}

// ---- git_log / git_show -----------------------------------------------------------------------

std::string iso_time(const git_time& when) {
  const time_t seconds = static_cast<time_t>(when.time) + when.offset * 60;
  struct tm parts {};
  gmtime_r(&seconds, &parts);
  char text[96];
  const int offset = when.offset;
  const char sign = offset < 0 ? '-' : '+';
  const int magnitude = offset < 0 ? -offset : offset;
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, sign,
                magnitude / 60, magnitude % 60);
  return text;
}

json commit_json(git_commit* commit) {
  const git_signature* author = git_commit_author(commit);
  const char* summary = git_commit_summary(commit);
  return {{"id", git::full_id(git_commit_id(commit))},
          {"short_id", git::short_id(git_commit_id(commit))},
          {"author", author->name ? author->name : ""},
          {"email", author->email ? author->email : ""},
          {"date", iso_time(author->when)},
          {"summary", summary ? summary : ""},
          {"parents", git_commit_parentcount(commit)}};
}

json commit_schema() {
  return object_schema({{"id", string_property("Full commit id.")},
                        {"short_id", string_property("Abbreviated id.")},
                        {"author", string_property("Author name.")},
                        {"email", string_property("Author email.")},
                        {"date", string_property("Author date, ISO 8601 with offset.")},
                        {"summary", string_property("First line of the message.")},
                        {"message", string_property("Full message (git_show only).")},
                        {"parents", {{"type", "integer"}, {"description", "Parent count."}}}},
                       {"id", "short_id", "author", "email", "date", "summary", "parents"});
}

// True when `path` differs between the commit and its first parent (or exists in a root commit).
bool touches(git_commit* commit, const std::string& path) {
  git_tree* tree_raw = nullptr;
  if (git_commit_tree(&tree_raw, commit) < 0) return false;
  git::TreePtr tree(tree_raw);
  git_tree_entry* entry_raw = nullptr;
  const bool here = git_tree_entry_bypath(&entry_raw, tree.get(), path.c_str()) == 0;
  std::unique_ptr<git_tree_entry, void (*)(git_tree_entry*)> entry(entry_raw, git_tree_entry_free);
  if (git_commit_parentcount(commit) == 0) return here;
  git_commit* parent_raw = nullptr;
  if (git_commit_parent(&parent_raw, commit, 0) < 0) return here;
  git::CommitPtr parent(parent_raw);
  git_tree* parent_tree_raw = nullptr;
  if (git_commit_tree(&parent_tree_raw, parent.get()) < 0) return here;
  git::TreePtr parent_tree(parent_tree_raw);
  git_tree_entry* before_raw = nullptr;
  const bool there = git_tree_entry_bypath(&before_raw, parent_tree.get(), path.c_str()) == 0;
  std::unique_ptr<git_tree_entry, void (*)(git_tree_entry*)> before(before_raw,
                                                                    git_tree_entry_free);
  if (here != there) return true;
  if (!here) return false;
  return !git_oid_equal(git_tree_entry_id(entry.get()), git_tree_entry_id(before.get()));
}

Tool git_log_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_log";
  tool.title = "Git log";
  tool.description =
      "Commits, newest first, from HEAD or `from`, optionally only those touching `path`.";
  tool.input_schema =
      object_schema({{"project", project_property()},
                     {"max_count",
                      {{"type", "integer"},
                       {"minimum", 1},
                       {"maximum", 500},
                       {"default", 20},
                       {"description", "How many commits."}}},
                     {"path", string_property("Only commits that changed this path.")},
                     {"from", string_property("Start revision instead of HEAD.")}});
  tool.output_schema = object_schema(
      {{"commits", {{"type", "array"}, {"items", commit_schema()}, {"description", "Commits."}}},
       {"more", boolean_property("True when older commits were left out (raise max_count).")}},
      {"commits", "more"});
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [services](const json& arguments, ToolContext& context) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    const size_t max_count = arguments.value("max_count", 20);
    std::optional<std::string> path;
    if (auto given = optional_string(arguments, "path")) {
      auto checked = git::repository_path(*repo->workspace, *given);
      if (!checked) return ToolResult::from_error(checked.error());
      if (!checked->empty()) path = *checked;
    }
    const std::string from = optional_string(arguments, "from").value_or("HEAD");
    if (from == "HEAD" && git_repository_head_unborn(repo->get()) == 1) {
      return ToolResult::success({{"commits", json::array()}, {"more", false}},
                                 "No commits yet. Stage files with git_add, then git_commit.");
    }
    auto start = git::resolve_commit(repo->get(), from);
    if (!start) return ToolResult::from_error(start.error());

    git_revwalk* walk_raw = nullptr;
    int rc = git_revwalk_new(&walk_raw, repo->get());
    git::RevwalkPtr walk(walk_raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot walk history", rc));
    git_revwalk_sorting(walk.get(), GIT_SORT_TIME);
    git_revwalk_push(walk.get(), git_commit_id(start->get()));

    json commits = json::array();
    std::string text;
    bool more = false;
    git_oid oid;
    while (git_revwalk_next(&oid, walk.get()) == 0) {
      if (context.cancelled()) return ToolResult::error("Cancelled.");
      git_commit* raw = nullptr;
      if (git_commit_lookup(&raw, repo->get(), &oid) < 0) continue;
      git::CommitPtr commit(raw);
      if (path && !touches(commit.get(), *path)) continue;
      if (commits.size() == max_count) {
        more = true;
        break;
      }
      json item = commit_json(commit.get());
      text += item["short_id"].get<std::string>() + " " +
              item["date"].get<std::string>().substr(0, 10) + " " +
              item["author"].get<std::string>() + ": " + item["summary"].get<std::string>() + "\n";
      commits.push_back(std::move(item));
    }
    if (commits.empty()) text = "No commits" + (path ? " touching " + *path : std::string()) + ".";
    if (more) text += "(more commits: raise max_count)";
    return ToolResult::success({{"commits", std::move(commits)}, {"more", more}}, text);
  };
  return tool;
}

Tool git_show_tool(const std::shared_ptr<GitToolServices>& services) {
  Tool tool;
  tool.name = "git_show";
  tool.title = "Git show";
  tool.description = "One commit: id, author, date, message and its patch.";
  tool.input_schema = object_schema(
      {{"project", project_property()},
       {"rev", {{"type", "string"}, {"minLength", 1}, {"description", "Revision, e.g. HEAD~1."}}},
       {"stat", boolean_property("Only per-file line counts.")},
       {"max_output_bytes", output_budget_property()}},
      {"rev"});
  json output = diff_output_schema();
  output["properties"]["commit"] = commit_schema();
  output["required"].push_back("commit");
  tool.output_schema = output;
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [services](const json& arguments, ToolContext&) {
    auto repo = open_project_repository(*services, arguments);
    if (!repo) return ToolResult::from_error(repo.error());
    auto commit = git::resolve_commit(repo->get(), arguments.value("rev", ""));
    if (!commit) return ToolResult::from_error(commit.error());
    auto tree = commit_tree(commit->get());
    if (!tree) return ToolResult::from_error(tree.error());
    git::TreePtr parent_tree;
    if (git_commit_parentcount(commit->get()) > 0) {
      git_commit* parent_raw = nullptr;
      if (git_commit_parent(&parent_raw, commit->get(), 0) == 0) {
        git::CommitPtr parent(parent_raw);
        auto parent_tree_result = commit_tree(parent.get());
        if (parent_tree_result) parent_tree = std::move(parent_tree_result).value();
      }
    }
    git_diff* raw = nullptr;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    const int rc =
        git_diff_tree_to_tree(&raw, repo->get(), parent_tree.get(), tree->get(), &options);
    git::DiffPtr diff(raw);
    if (rc < 0) return ToolResult::from_error(git::git_failure("Cannot compute the diff", rc));
    json info = commit_json(commit->get());
    const char* message = git_commit_message(commit->get());
    info["message"] = message ? message : "";
    const std::string heading = "commit " + info["id"].get<std::string>() +
                                "\nAuthor: " + info["author"].get<std::string>() + " <" +
                                info["email"].get<std::string>() +
                                ">\nDate:   " + info["date"].get<std::string>() + "\n\n" +
                                info["message"].get<std::string>() + "\n";
    ToolResult result =
        render_diff(diff.get(), arguments.value("stat", false), output_budget(arguments), heading);
    if (result.structured) (*result.structured)["commit"] = std::move(info);
    return result;
  };
  return tool;
}

}  // namespace

void register_git_read_tools(ToolRegistry& registry,
                             const std::shared_ptr<GitToolServices>& services) {
  add_git_tool(registry, *services, git_status_tool(services));
  add_git_tool(registry, *services, git_diff_tool(services));
  add_git_tool(registry, *services, git_log_tool(services));
  add_git_tool(registry, *services, git_show_tool(services));
}

}  // namespace benchtop
