// fs_read and fs_stat: the read-only file tools.
#include <sys/stat.h>

#include "common/base64.h"
#include "server/workspace/browse/file_reading.h"
#include "tools/common/workspace_args.h"
#include "tools/fs/fs_common.h"

namespace benchtop::fs_tools {
namespace {

nlohmann::json read_output_schema() {
  return {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}}},
        {"kind", {{"type", "string"}, {"enum", {"text", "image"}}}},
        {"size", {{"type", "integer"}, {"description", "File size in bytes"}}},
        {"content", {{"type", "string"}, {"description", "The lines returned, verbatim"}}},
        {"start_line", {{"type", "integer"}}},
        {"end_line", {{"type", "integer"}}},
        {"total_lines",
         {{"type", "integer"},
          {"description", "Lines in the file; absent when the file is too large to count"}}},
        {"truncated", {{"type", "boolean"}}},
        {"next_offset", {{"type", "integer"}}},
        {"remaining_lines", {{"type", "integer"}}},
        {"line_cut", {{"type", "boolean"}}},
        {"mime_type", {{"type", "string"}}}}},
      {"required", {"path", "kind", "size"}},
  };
}

// The text a model reads: the lines themselves, then what was left out and how to get it.
std::string rendered_text(const FileContent& content, const std::string& shown) {
  std::string text = content.text;
  const bool known = content.total_lines.has_value();
  if (known && *content.total_lines == 0) text = "(" + shown + " is empty)";
  if (content.line_cut) {
    text += "\n[Line " + std::to_string(content.end_line) + " is longer than " +
            std::to_string(ReadWindow::kMaxTextBytes / 1024) + " KiB and was cut short.]";
  }
  if (content.truncated) {
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    const std::string of_total =
        known ? " of " + std::to_string(*content.total_lines) + "; " +
                    std::to_string(*content.total_lines - content.end_line) + " more"
              : " of a file too large to count (" + std::to_string(content.size) + " bytes); more";
    text += "[Showing lines " + std::to_string(content.start_line) + "-" +
            std::to_string(content.end_line) + of_total +
            ". Call fs_read with offset=" + std::to_string(content.end_line + 1) + " to continue.]";
  }
  return text;
}

ToolResult fs_read(WorkspaceProvider& provider, const nlohmann::json& args, ToolContext& context) {
  auto target = resolve(provider, args);
  if (!target) return error_result(target.error());
  ReadWindow window;
  window.offset = args.value("offset", int64_t{1});
  window.limit = args.value("limit", ReadWindow::kMaxLines);
  window.cancelled = [&context] { return context.cancelled(); };
  auto content = read_file(*target->workspace, target->relative, target->shown, window);
  if (!content) {
    const Error& error = content.error();
    if (error.code == "binary") {
      return ToolResult::error(error.message + ". Use fs_stat for its size and type.");
    }
    if (error.code == "is_directory") {
      return ToolResult::error(error.message + ". Use fs_list to see its entries.");
    }
    if (error.code == "past_end" || error.code == "not_utf8" || error.code == "too_large") {
      return ToolResult::error(error.message + ".");
    }
    return error_result(error);
  }
  if (content->kind == FileContent::Kind::kImage) {
    ToolResult result;
    result.content.push_back({{"type", "image"},
                              {"data", base64::encode(content->bytes)},
                              {"mimeType", content->mime_type}});
    result.content.push_back({{"type", "text"},
                              {"text", "Image " + target->shown + " (" + content->mime_type + ", " +
                                           std::to_string(content->size) + " bytes)"}});
    result.structured = to_json(*content, target->shown);
    return result;
  }
  std::string text = rendered_text(*content, target->shown);
  return ToolResult::success(to_json(*content, target->shown), std::move(text));
}

ToolResult fs_stat(WorkspaceProvider& provider, const nlohmann::json& args) {
  auto target = resolve(provider, args, "path", /*default_root=*/true);
  if (!target) return error_result(target.error());
  auto st = target->workspace->stat_at(target->relative, /*follow_final_symlink=*/false);
  if (!st) return error_result(st.error());
  nlohmann::json structured = {{"path", target->shown},
                               {"type", type_name(st->st_mode)},
                               {"size", static_cast<int64_t>(st->st_size)},
                               {"mode", octal_mode(st->st_mode)},
                               {"mtime", iso8601_utc(st->st_mtim)}};
  std::string text = target->shown + ": " + type_name(st->st_mode) + ", " +
                     std::to_string(st->st_size) + " bytes, mode " + octal_mode(st->st_mode) +
                     ", modified " + iso8601_utc(st->st_mtim);
  if (S_ISLNK(st->st_mode)) {
    auto link = target->workspace->read_link(target->relative);
    if (!link) return error_result(link.error());
    static constexpr const char* kStatus[] = {"inside", "outside", "dangling"};
    const char* status =
        kStatus[static_cast<int>(target->workspace->classify_link(target->relative))];
    structured["target"] = *link;
    structured["target_status"] = status;
    text += ", -> " + *link + " (" + status + ")";
  }
  return ToolResult::success(std::move(structured), std::move(text));
}

}  // namespace

void register_read_tools(ToolRegistry& registry, WorkspaceProvider& provider) {
  Tool read;
  read.name = "fs_read";
  read.title = "Read file";
  read.description =
      "Reads a UTF-8 text file in the project workspace and returns its lines verbatim. `offset` "
      "is the 1-based first line (a negative offset counts from the end: -20 = the last 20 "
      "lines); `limit` is the number of lines (default and maximum 2000). At most 256 KiB are "
      "returned per call: when more remains the result says truncated=true with next_offset to "
      "continue from, and total_lines (omitted for files too large to count). PNG, JPEG, GIF and "
      "WebP files come back as image content. "
      "Other binary files, directories (use fs_list) and special files are refused.";
  read.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", path_property("File path relative to the workspace root (an absolute path "
                               "inside the workspace is accepted).")},
        {"offset",
         {{"type", "integer"},
          {"description",
           "First line to return, 1-based (0 is taken as 1). Negative: count from the end, "
           "e.g. -50 for the last 50 lines. Default 1."}}},
        {"limit",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", ReadWindow::kMaxLines},
          {"description", "Number of lines to return (default and maximum 2000)."}}}}},
      {"required", {"path"}},
      {"additionalProperties", false},
  };
  read.output_schema = read_output_schema();
  read.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  read.handler = [&provider](const nlohmann::json& args, ToolContext& context) {
    return fs_read(provider, args, context);
  };
  registry.add(std::move(read));

  Tool stat;
  stat.name = "fs_stat";
  stat.title = "File status";
  stat.description =
      "Describes one path in the project workspace without following a final symlink (lstat): "
      "type (file, directory, symlink, other), size in bytes, permission mode as an octal "
      "string, modification time (ISO-8601 UTC), and for a symlink its target text and whether "
      "that target is inside the workspace, outside it, or missing. Omit path for the workspace "
      "root. A missing path is an error; use fs_list to see what exists.";
  stat.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", path_property("Path relative to the workspace root; default the root.")}}},
      {"additionalProperties", false},
  };
  stat.output_schema = {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}}},
        {"type", {{"type", "string"}, {"enum", {"file", "directory", "symlink", "other"}}}},
        {"size", {{"type", "integer"}}},
        {"mode", {{"type", "string"}, {"description", "Permission bits in octal, e.g. 0644"}}},
        {"mtime", {{"type", "string"}, {"description", "Last modification, ISO-8601 UTC"}}},
        {"target", {{"type", "string"}, {"description", "Symlink target text"}}},
        {"target_status", {{"type", "string"}, {"enum", {"inside", "outside", "dangling"}}}}}},
      {"required", {"path", "type", "size", "mode", "mtime"}},
  };
  stat.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  stat.handler = [&provider](const nlohmann::json& args, ToolContext&) {
    return fs_stat(provider, args);
  };
  registry.add(std::move(stat));
}

}  // namespace benchtop::fs_tools
