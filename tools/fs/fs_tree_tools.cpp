// fs_list, fs_delete and fs_move: tools that work on directory entries rather than file contents.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/human_units.h"
#include "server/workspace/browse/directory_listing.h"
#include "server/workspace/file_ops.h"
#include "tools/common/confirmation.h"
#include "tools/common/workspace_args.h"
#include "tools/fs/fs_common.h"

namespace benchtop::fs_tools {
namespace {

constexpr int64_t kDefaultDepth = 1;
constexpr size_t kMaxEntries = 1000;

std::string render_entry(const DirectoryEntry& entry) {
  switch (entry.type) {
    case EntryType::kDirectory:
      return entry.path + "/";
    case EntryType::kSymlink:
      return entry.path + " -> " + entry.target.value_or("?");
    case EntryType::kFile:
      return entry.path + "  (" + human_bytes(entry.size.value_or(0)) + ")";
    case EntryType::kOther:
      break;
  }
  return entry.path + "  (" + std::string(to_string(entry.type)) + ")";
}

ToolResult fs_list(WorkspaceProvider& provider, const nlohmann::json& args, ToolContext& context) {
  auto target = resolve(provider, args, "path", /*default_root=*/true);
  if (!target) return error_result(target.error());
  ListOptions options;
  options.depth = static_cast<int>(
      std::clamp<int64_t>(args.value("depth", kDefaultDepth), 1, ListOptions::kMaxDepth));
  options.include_hidden = args.value("include_hidden", false);
  options.max_entries = kMaxEntries;
  options.cancelled = [&context] { return context.cancelled(); };
  auto listing = list_directory(*target->workspace, target->relative, options);
  if (!listing) {
    if (listing.error().code == "not_directory") {
      return ToolResult::error(target->shown +
                               " is not a directory. Use fs_read to read a file "
                               "or fs_stat to describe it.");
    }
    return error_result(listing.error());
  }
  std::string text;
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& entry : listing->entries) {
    text += render_entry(entry) + "\n";
    entries.push_back(to_json(entry));
  }
  if (listing->entries.empty()) text = "(" + target->shown + " is empty)\n";
  nlohmann::json structured = {{"path", target->shown},
                               {"depth", options.depth},
                               {"entries", std::move(entries)},
                               {"truncated", listing->truncated}};
  if (listing->truncated) {
    text += "[Stopped at " + std::to_string(kMaxEntries) +
            " entries. List a subdirectory or use a smaller depth to see the rest.]\n";
  }
  return ToolResult::success(std::move(structured), std::move(text));
}

ToolResult fs_delete(WorkspaceProvider& provider, const nlohmann::json& args,
                     const ToolContext& context) {
  auto target = resolve(provider, args);
  if (!target) return error_result(target.error());
  if (target->relative.empty()) {
    return ToolResult::error(
        "Refusing to delete the workspace root. Delete the entries inside "
        "it one by one if you really mean to.");
  }
  const bool recursive = args.value("recursive", false);
  auto parent = target->workspace->open_parent(target->relative);
  if (!parent) return error_result(parent.error());
  const int dir_fd = parent->first.get();
  const std::string& name = parent->second;
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return error_result(path_error(target->shown, errno));
  }
  if (S_ISDIR(st.st_mode)) {
    if (auto refusal = confirm_destructive(
            context, "Delete the directory " + target->shown + " with everything in it?", recursive,
            target->shown +
                " is a directory; pass recursive=true to delete it with everything in it.")) {
      return *refusal;
    }
    if (auto status = remove_tree_at(dir_fd, name); !status) {
      return ToolResult::error("Could not delete all of " + target->shown + ": " +
                               status.error().message +
                               ". Part of it may already be gone; "
                               "check with fs_list.");
    }
  } else if (::unlinkat(dir_fd, name.c_str(), 0) != 0) {
    return error_result(path_error(target->shown, errno));
  }
  const std::string type = type_name(st.st_mode);
  nlohmann::json structured = {{"path", target->shown}, {"type", type}, {"deleted", true}};
  std::string text = "Deleted " + type + " " + target->shown;
  if (S_ISLNK(st.st_mode)) text += " (the link only; its target is untouched)";
  ToolResult result = ToolResult::success(std::move(structured), std::move(text));
  result.file_changes.push_back({target->shown, FileChange::Action::kDeleted, ""});
  return result;
}

ToolResult fs_move(WorkspaceProvider& provider, const nlohmann::json& args) {
  auto from = resolve(provider, args, "from");
  if (!from) return error_result(from.error());
  auto to = resolve(provider, args, "to");
  if (!to) return error_result(to.error());
  if (from->relative.empty() || to->relative.empty()) {
    return ToolResult::error("The workspace root cannot be moved or replaced.");
  }
  if (from->relative == to->relative) {
    return ToolResult::error("from and to are the same path (" + from->shown + ").");
  }
  const bool overwrite = args.value("overwrite", false);
  const bool create_dirs = args.value("create_dirs", false);

  auto source = from->workspace->open_parent(from->relative);
  if (!source) return error_result(source.error());
  struct stat st {};
  if (::fstatat(source->first.get(), source->second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return error_result(path_error(from->shown, errno));
  }
  auto destination = to->workspace->open_parent(to->relative, create_dirs);
  if (!destination) {
    if (destination.error().code == "not_found" && !create_dirs) {
      return ToolResult::error("The parent directory of " + to->shown +
                               " does not exist. Pass create_dirs=true to create it.");
    }
    return error_result(destination.error());
  }
  struct stat existing {};
  const bool replaced = ::fstatat(destination->first.get(), destination->second.c_str(), &existing,
                                  AT_SYMLINK_NOFOLLOW) == 0;
  // rename never follows a symlink at either end: a link is moved, or replaced, as a link.
  if (::renameat2(source->first.get(), source->second.c_str(), destination->first.get(),
                  destination->second.c_str(), overwrite ? 0 : RENAME_NOREPLACE) != 0) {
    const int err = errno;
    switch (err) {
      case EEXIST:
        return ToolResult::error(to->shown +
                                 " already exists. Pass overwrite=true to replace it, or choose "
                                 "another destination.");
      case ENOTEMPTY:
        return ToolResult::error(to->shown +
                                 " is a non-empty directory and cannot be replaced; delete it "
                                 "first with fs_delete if that is what you want.");
      case EISDIR:
        return ToolResult::error(to->shown +
                                 " is a directory; give the full destination path including the "
                                 "new name (e.g. " +
                                 to->shown + "/" + source->second + ").");
      case ENOTDIR:
        return ToolResult::error("Cannot replace " + to->shown +
                                 " with a directory (or a "
                                 "component of a path is not a directory).");
      case EINVAL:
        return ToolResult::error("Cannot move " + from->shown + " into itself (" + to->shown +
                                 ").");
      default:
        return error_result(path_error(from->shown + " -> " + to->shown, err));
    }
  }
  nlohmann::json structured = {{"from", from->shown},
                               {"to", to->shown},
                               {"type", type_name(st.st_mode)},
                               {"replaced", replaced}};
  std::string text = "Moved " + type_name(st.st_mode) + " " + from->shown + " to " + to->shown +
                     (replaced ? " (replacing what was there)" : "");
  ToolResult result = ToolResult::success(std::move(structured), std::move(text));
  result.file_changes.push_back({to->shown, FileChange::Action::kMoved, from->shown});
  return result;
}

}  // namespace

void register_tree_tools(ToolRegistry& registry, WorkspaceProvider& provider) {
  Tool list;
  list.name = "fs_list";
  list.title = "List directory";
  list.description = "List a directory to `depth` levels. To find files by pattern use fs_glob.";
  list.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", path_property("Directory (default the root).")},
        {"depth",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", ListOptions::kMaxDepth},
          {"default", kDefaultDepth},
          {"description", "Levels to descend."}}},
        {"include_hidden", {{"type", "boolean"}, {"description", "Include dot-files."}}}}},
      {"additionalProperties", false},
  };
  list.output_schema = {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}}},
        {"depth", {{"type", "integer"}}},
        {"entries",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties",
             {{"path", {{"type", "string"}}},
              {"type", {{"type", "string"}, {"enum", {"file", "directory", "symlink", "other"}}}},
              {"size", {{"type", "integer"}}},
              {"target", {{"type", "string"}}}}},
            {"required", {"path", "type"}}}}}},
        {"truncated", {{"type", "boolean"}}}}},
      {"required", {"path", "depth", "entries", "truncated"}},
  };
  list.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  list.handler = [&provider](const nlohmann::json& args, ToolContext& context) {
    return fs_list(provider, args, context);
  };
  registry.add(std::move(list));

  Tool remove;
  remove.name = "fs_delete";
  remove.title = "Delete path";
  remove.description =
      "Delete a file, symlink or directory (a directory needs recursive). No undo.";
  remove.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", path_property("Path to delete.")},
        {"recursive",
         {{"type", "boolean"}, {"description", "Delete a directory with its contents."}}}}},
      {"required", {"path"}},
      {"additionalProperties", false},
  };
  remove.output_schema = {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}}},
        {"type", {{"type", "string"}, {"enum", {"file", "directory", "symlink", "other"}}}},
        {"deleted", {{"type", "boolean"}}}}},
      {"required", {"path", "type", "deleted"}},
  };
  remove.annotations = {.read_only = false, .destructive = true, .idempotent = true};
  remove.handler = [&provider](const nlohmann::json& args, ToolContext& context) {
    return fs_delete(provider, args, context);
  };
  remove.changed_paths = paths_in_arguments({"path"});
  registry.add(std::move(remove));

  Tool move;
  move.name = "fs_move";
  move.title = "Move or rename";
  move.description = "Move or rename a file, directory or symlink; `to` is the full new path.";
  move.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"from", path_property("Existing path.")},
        {"to", path_property("New path.")},
        {"overwrite", {{"type", "boolean"}, {"description", "Replace what is at `to`."}}},
        {"create_dirs", {{"type", "boolean"}, {"description", "Create parent directories."}}}}},
      {"required", {"from", "to"}},
      {"additionalProperties", false},
  };
  move.output_schema = {
      {"type", "object"},
      {"properties",
       {{"from", {{"type", "string"}}},
        {"to", {{"type", "string"}}},
        {"type", {{"type", "string"}, {"enum", {"file", "directory", "symlink", "other"}}}},
        {"replaced",
         {{"type", "boolean"}, {"description", "Whether something at `to` was replaced"}}}}},
      {"required", {"from", "to", "type", "replaced"}},
  };
  move.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  move.handler = [&provider](const nlohmann::json& args, ToolContext&) {
    return fs_move(provider, args);
  };
  move.changed_paths = paths_in_arguments({"from", "to"});
  registry.add(std::move(move));
}

}  // namespace benchtop::fs_tools
