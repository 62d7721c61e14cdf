#include "tools/checkpoints/checkpoint_tools.h"

#include <string>
#include <vector>

#include "server/checkpoints/checkpoint_restore.h"
#include "server/checkpoints/tree_scan.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/workspace.h"
#include "tools/common/workspace_args.h"

namespace benchtop {
namespace {

using nlohmann::json;

constexpr size_t kDefaultListed = 20;
constexpr size_t kMaxListed = 100;
// Paths shown per checkpoint in a listing; the rest are counted.
constexpr size_t kChangesShown = 20;

// "added", "deleted" or "modified", with a trailing "/" on a directory's path.
std::string change_name(const CheckpointChange& change) {
  if (change.before.kind == FileVersion::Kind::kAbsent) return "added";
  if (change.after.kind == FileVersion::Kind::kAbsent) return "deleted";
  return "modified";
}

std::string shown_path(const std::string& path, const FileVersion& a, const FileVersion& b) {
  const bool directory =
      a.kind == FileVersion::Kind::kDirectory || b.kind == FileVersion::Kind::kDirectory;
  return escape_path(path) + (directory ? "/" : "");
}

json change_json(const CheckpointChange& change) {
  return {{"path", shown_path(change.path, change.before, change.after)},
          {"change", change_name(change)}};
}

ToolResult list_checkpoints(ProjectService& projects, CheckpointRecorder& recorder,
                            const json& args) {
  auto target = projects.open_workspace(optional_string(args, "project"));
  if (!target) return ToolResult::from_error(target.error());
  std::optional<std::string> only;
  if (auto path = optional_string(args, "path")) {
    auto relative = target->workspace->relative_path(*path);
    if (!relative) return ToolResult::from_error(relative.error());
    only = *relative;
  }
  const size_t limit = bounded_count(args, "limit", kDefaultListed, 1, kMaxListed);
  // A path filter looks further back than the limit, since most checkpoints will not match.
  auto records =
      recorder.repository().recent(target->project_id, only ? recorder.options().keep : limit);
  if (!records) return ToolResult::from_error(records.error());

  json listed = json::array();
  std::string text;
  for (const auto& record : *records) {
    if (listed.size() == limit) break;
    std::vector<const CheckpointChange*> changes;
    for (const auto& change : record.changes) {
      if (!only || within_scope(change.path, *only)) {
        changes.push_back(&change);
      }
    }
    if (changes.empty()) continue;
    json entry = {{"id", record.id},
                  {"tool", record.tool},
                  {"summary", record.summary},
                  {"at", record.created_at},
                  {"changes", json::array()}};
    text += "#" + std::to_string(record.id) + " " + record.created_at + " " + record.tool + " " +
            record.summary + "\n";
    for (size_t i = 0; i < changes.size() && i < kChangesShown; ++i) {
      json change = change_json(*changes[i]);
      text += "  " + change["change"].get<std::string>() + " " + change["path"].get<std::string>() +
              "\n";
      entry["changes"].push_back(std::move(change));
    }
    if (changes.size() > kChangesShown) {
      entry["more_changes"] = changes.size() - kChangesShown;
      text += "  … and " + std::to_string(changes.size() - kChangesShown) +
              " more (pass `path` to narrow)\n";
    }
    listed.push_back(std::move(entry));
  }
  if (listed.empty()) {
    text = recorder.options().enabled
               ? "No checkpoints: no recorded tool call has changed files here yet."
               : "No checkpoints: recording is off on this server.";
  } else {
    text += "checkpoint_restore {\"checkpoint\": N} puts files back as they were before #N.";
  }
  return ToolResult::success({{"checkpoints", std::move(listed)}}, std::move(text));
}

ToolResult restore_checkpoint(ProjectService& projects, CheckpointRecorder& recorder,
                              const json& args) {
  auto target = projects.open_workspace(optional_string(args, "project"));
  if (!target) return ToolResult::from_error(target.error());
  std::vector<std::string> only;
  if (auto paths = args.find("paths"); paths != args.end() && paths->is_array()) {
    for (const auto& path : *paths) {
      if (!path.is_string()) continue;
      auto relative = target->workspace->relative_path(path.get<std::string>());
      if (!relative) return ToolResult::from_error(relative.error());
      only.push_back(*relative);
    }
  }
  const bool dry_run = args.value("dry_run", false);
  const int64_t checkpoint = args.value("checkpoint", int64_t{0});
  BlobStore blobs = recorder.blobs(target->project_id);
  ScanLimits limits;
  limits.max_file_bytes = recorder.options().max_file_bytes;
  auto plan = plan_restore(recorder.repository(), blobs, *target->workspace, target->project_id,
                           checkpoint, only, limits);
  if (!plan) return ToolResult::from_error(plan.error());

  json restored = json::array();
  json failed = json::array();
  std::string text;
  const auto describe = [](const RestoreStep& step) {
    return CheckpointChange{step.path, step.current, step.target};
  };
  if (dry_run) {
    for (const auto& step : plan->steps) restored.push_back(change_json(describe(step)));
  } else {
    const RestoreOutcome outcome = apply_restore(*target->workspace, blobs, *plan);
    size_t next = 0;
    for (const auto& step : plan->steps) {
      if (next < outcome.restored.size() && outcome.restored[next] == step.path) {
        restored.push_back(change_json(describe(step)));
        ++next;
      }
    }
    for (const auto& [path, why] : outcome.failed) {
      failed.push_back({{"path", escape_path(path)}, {"error", why}});
    }
  }
  text = std::string(dry_run ? "Would put back " : "Put back ") + std::to_string(restored.size()) +
         " path(s) as they were before #" + std::to_string(plan->checkpoint.id) + " (" +
         plan->checkpoint.tool + ", undoing " + std::to_string(plan->calls) + " recorded call(s))";
  text += plan->unchanged ? "; " + std::to_string(plan->unchanged) + " already were.\n" : ".\n";
  for (const auto& item : restored) {
    text += "  " + item["path"].get<std::string>() + "\n";
  }
  for (const auto& item : failed) {
    text += "  FAILED " + item["path"].get<std::string>() + ": " +
            item["error"].get<std::string>() + "\n";
  }
  if (!dry_run && !restored.empty()) {
    text += "This restore is itself a checkpoint: checkpoint_list shows it, to undo it.";
  }
  json structured = {{"checkpoint", plan->checkpoint.id},
                     {"dry_run", dry_run},
                     {"restored", std::move(restored)},
                     {"unchanged", plan->unchanged},
                     {"failed", std::move(failed)}};
  ToolResult result = ToolResult::success(std::move(structured), std::move(text));
  result.is_error = !dry_run && !result.structured->at("failed").empty() &&
                    result.structured->at("restored").empty();
  return result;
}

json changes_schema() {
  return {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties",
             {{"path", {{"type", "string"}}},
              {"change", {{"type", "string"}, {"enum", {"added", "modified", "deleted"}}}}}},
            {"required", {"path", "change"}}}}};
}

}  // namespace

void register_checkpoint_tools(ToolRegistry& registry, ProjectService& projects,
                               CheckpointRecorder& recorder) {
  Tool list;
  list.name = "checkpoint_list";
  list.title = "List checkpoints";
  list.description = "Tool calls that changed files (commands too), newest first, with the paths.";
  list.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", {{"type", "string"}, {"description", "Only calls that changed it."}}},
        {"limit",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", kMaxListed},
          {"description", "Most."}}}}},
      {"additionalProperties", false}};
  list.output_schema = {{"type", "object"},
                        {"properties",
                         {{"checkpoints",
                           {{"type", "array"},
                            {"items",
                             {{"type", "object"},
                              {"properties",
                               {{"id", {{"type", "integer"}}},
                                {"tool", {{"type", "string"}}},
                                {"summary", {{"type", "string"}}},
                                {"at", {{"type", "string"}}},
                                {"changes", changes_schema()},
                                {"more_changes", {{"type", "integer"}}}}},
                              {"required", {"id", "tool", "summary", "at", "changes"}}}}}}}},
                        {"required", {"checkpoints"}}};
  list.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  list.handler = [&projects, &recorder](const json& args, ToolContext&) {
    return list_checkpoints(projects, recorder, args);
  };
  registry.add(std::move(list));

  Tool restore;
  restore.name = "checkpoint_restore";
  restore.title = "Restore checkpoint";
  restore.description =
      "Put files changed by checkpoint N and later calls back as before N; other files and .git "
      "untouched. Undoable.";
  restore.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"checkpoint", {{"type", "integer"}, {"minimum", 1}, {"description", "Its id."}}},
        {"paths",
         {{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "Only these."}}},
        {"dry_run", {{"type", "boolean"}, {"description", "Only list."}}}}},
      {"required", {"checkpoint"}},
      {"additionalProperties", false}};
  restore.output_schema = {
      {"type", "object"},
      {"properties",
       {{"checkpoint", {{"type", "integer"}}},
        {"dry_run", {{"type", "boolean"}}},
        {"restored", changes_schema()},
        {"unchanged", {{"type", "integer"}}},
        {"failed",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties", {{"path", {{"type", "string"}}}, {"error", {{"type", "string"}}}}},
            {"required", {"path", "error"}}}}}}}},
      {"required", {"checkpoint", "dry_run", "restored", "unchanged", "failed"}}};
  restore.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  // A restore may touch any path the checkpoints recorded: it is recorded over the whole tree,
  // which is what makes it undoable.
  restore.handler = [&projects, &recorder](const json& args, ToolContext&) {
    return restore_checkpoint(projects, recorder, args);
  };
  registry.add(std::move(restore));
}

}  // namespace benchtop
