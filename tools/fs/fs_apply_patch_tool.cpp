// fs_apply_patch: a multi-file patch (a unified diff or a "*** Begin Patch" envelope) applied all
// or nothing through the workspace guard.
#include <boost/describe/class.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/mcp/schema/type_schema.h"
#include "server/workspace/changes/unified_diff.h"
#include "server/workspace/patch/patch_apply.h"
#include "server/workspace/path_escape.h"
#include "tools/common/workspace_args.h"
#include "tools/fs/fs_common.h"

namespace benchtop::fs_tools {
namespace {

struct PatchedFile {
  std::string path;
  patch::Change action = patch::Change::kUpdated;
  std::optional<std::string> from;
  uint64_t hunks = 0;
  uint64_t lines_added = 0;
  uint64_t lines_removed = 0;
  static constexpr FieldDoc kFieldDocs[] = {{"from", "Where a moved file was"}};
};
BOOST_DESCRIBE_STRUCT(PatchedFile, (), (path, action, from, hunks, lines_added, lines_removed))

struct PatchRejection {
  std::string path;
  std::optional<uint64_t> hunk;
  std::optional<std::string> header;
  uint64_t patch_line = 0;
  patch::Failure reason = patch::Failure::kRefused;
  std::string message;
  static constexpr FieldDoc kFieldDocs[] = {{"hunk", "1-based; absent: the whole file"},
                                            {"patch_line", "Where it starts in the patch"}};
};
BOOST_DESCRIBE_STRUCT(PatchRejection, (), (path, hunk, header, patch_line, reason, message))

struct ApplyPatchResult {
  bool applied = false;
  bool dry_run = false;
  std::vector<PatchedFile> files;
  std::optional<std::vector<PatchRejection>> failures;
  std::optional<uint64_t> failures_not_listed;
  static constexpr FieldDoc kFieldDocs[] = {{"applied", "Files were written"},
                                            {"failures", "Why nothing was written"}};
};
BOOST_DESCRIBE_STRUCT(ApplyPatchResult, (),
                      (applied, dry_run, files, failures, failures_not_listed))

constexpr size_t kListedFailures = 50;

std::string shown(const std::string& relative) {
  return escape_path(relative);
}

// "updated src/a.py: 2 hunks, +3 -1", "moved a.txt -> b.txt".
std::string describe(const patch::PlannedFile& file) {
  std::string line = std::string(to_string(file.change)) + " " +
                     (file.from ? shown(*file.from) + " -> " : "") + shown(file.path);
  std::vector<std::string> parts;
  if (file.hunks > 1) parts.push_back(std::to_string(file.hunks) + " hunks");
  std::string lines;
  if (file.lines_added) lines += "+" + std::to_string(file.lines_added);
  if (file.lines_removed)
    lines += (lines.empty() ? "-" : " -") + std::to_string(file.lines_removed);
  if (!lines.empty()) parts.push_back(lines);
  for (size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : ": ") + parts[i];
  return line;
}

// What a file section changes, as a diff with the names git would give it.
std::string diff_of(const patch::PlannedFile& file) {
  const bool added = file.change == patch::Change::kAdded;
  const bool deleted = file.change == patch::Change::kDeleted;
  const std::string new_text = deleted ? "" : file.rewrite ? file.new_text : file.old_text;
  const UnifiedDiff diff = unified_diff(file.old_text, new_text, file.path);
  if (diff.text.empty() && file.change != patch::Change::kMoved) return "";
  std::string text = "--- " + (added ? "/dev/null" : "a/" + shown(file.from.value_or(file.path))) +
                     "\n+++ " + (deleted ? "/dev/null" : "b/" + shown(file.path)) + "\n";
  const size_t headers = diff.text.find('\n', diff.text.find('\n') + 1);
  if (headers != std::string::npos) text += diff.text.substr(headers + 1);
  return text;
}

FileChange::Action change_action(patch::Change change) {
  switch (change) {
    case patch::Change::kAdded:
      return FileChange::Action::kCreated;
    case patch::Change::kDeleted:
      return FileChange::Action::kDeleted;
    case patch::Change::kMoved:
      return FileChange::Action::kMoved;
    case patch::Change::kUpdated:
      break;
  }
  return FileChange::Action::kModified;
}

ToolResult rejected(const patch::PatchPlan& plan, bool dry_run) {
  ApplyPatchResult result;
  result.dry_run = dry_run;
  result.failures.emplace();
  std::string text = "The patch does not apply; nothing was written. " +
                     std::to_string(plan.failures.size()) + " problem(s):\n";
  for (const patch::PatchFailure& failure : plan.failures) {
    if (result.failures->size() == kListedFailures) {
      result.failures_not_listed = plan.failures.size() - kListedFailures;
      text += "- and " + std::to_string(*result.failures_not_listed) + " more not listed.\n";
      break;
    }
    PatchRejection& item = result.failures->emplace_back();
    item.path = failure.path;
    if (failure.hunk > 0) item.hunk = failure.hunk;
    if (!failure.header.empty()) item.header = failure.header;
    item.patch_line = failure.patch_line;
    item.reason = failure.reason;
    item.message = failure.message;
    text += "- " + (failure.path.empty() ? std::string("the patch") : failure.path);
    if (failure.hunk > 0) text += " hunk " + std::to_string(failure.hunk);
    text += " (patch line " + std::to_string(failure.patch_line) +
            (failure.header.empty() ? "" : ", " + failure.header) + "): " + failure.message + "\n";
  }
  text += "Fix these and send the whole patch again.";
  ToolResult out = ToolResult::error(text);
  out.structured = to_structured(result);
  return out;
}

ToolResult fs_apply_patch(WorkspaceProvider& provider, const nlohmann::json& args) {
  auto workspace = workspace_for(provider, args);
  if (!workspace) return error_result(workspace.error());
  auto text = optional_string(args, "patch");
  if (!text) return ToolResult::error("patch (a string) is required: the patch text.");
  const bool dry_run = args.value("dry_run", false);

  auto parsed = patch::parse_patch(*text);
  if (!parsed) return ToolResult::error(parsed.error().message + " Nothing was changed.");
  patch::PatchPlan plan = patch::plan_patch(**workspace, *parsed);
  if (!plan.ok()) return rejected(plan, dry_run);
  if (!dry_run) {
    if (auto status = patch::commit_patch(**workspace, plan); !status) {
      return ToolResult::error("The patch was not applied: " + status.error().message);
    }
  }

  ApplyPatchResult result;
  result.applied = !dry_run;
  result.dry_run = dry_run;
  std::string summary = std::string(dry_run ? "Dry run, nothing written. The patch applies to "
                                            : "Applied the patch to ") +
                        std::to_string(plan.files.size()) + " file(s):\n";
  std::string diffs;
  for (const patch::PlannedFile& file : plan.files) {
    PatchedFile& item = result.files.emplace_back();
    item.path = shown(file.path);
    item.action = file.change;
    if (file.from) item.from = shown(*file.from);
    item.hunks = file.hunks;
    item.lines_added = file.lines_added;
    item.lines_removed = file.lines_removed;
    summary += "  " + describe(file) + "\n";
    if (dry_run) diffs += diff_of(file);
  }
  ToolResult out = ToolResult::success(to_structured(result), summary + diffs);
  if (!dry_run) {
    for (const patch::PlannedFile& file : plan.files) {
      if (file.change == patch::Change::kUpdated && !file.rewrite) continue;
      out.file_changes.push_back(
          {shown(file.path), change_action(file.change), file.from ? shown(*file.from) : ""});
    }
  }
  return out;
}

}  // namespace

void register_apply_patch_tool(ToolRegistry& registry, WorkspaceProvider& provider) {
  Tool tool;
  tool.name = "fs_apply_patch";
  tool.title = "Apply patch";
  tool.description =
      "Apply a multi-file patch (unified diff or '*** Begin Patch' blocks), all or nothing; "
      "context must match exactly.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"patch", {{"type", "string"}}},
        {"dry_run", {{"type", "boolean"}, {"description", "Only show the diff."}}}}},
      {"required", {"patch"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ApplyPatchResult>();
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.handler = [&provider](const nlohmann::json& args, ToolContext&) {
    return fs_apply_patch(provider, args);
  };
  tool.changed_paths = [](const nlohmann::json& args) {
    std::vector<std::string> paths;
    auto text = args.find("patch");
    if (text == args.end() || !text->is_string()) return paths;
    auto parsed = patch::parse_patch(text->get_ref<const std::string&>());
    if (!parsed) return paths;  // the call refuses it and changes nothing
    for (const auto& file : parsed->files) {
      paths.push_back(file.path);
      if (file.move_to) paths.push_back(*file.move_to);
    }
    return paths;
  };
  registry.add(std::move(tool));
}

}  // namespace benchtop::fs_tools
