// fs_read and fs_stat: the read-only file tools.
#include <sys/stat.h>

#include "common/base64.h"
#include "common/human_units.h"
#include "server/workspace/browse/file_reading.h"
#include "tools/common/output_budget.h"
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
        {"mime_type", {{"type", "string"}}},
        {"files",
         {{"type", "array"},
          {"description",
           "With `paths`: one entry per file, as above, or {path, error} for one not read"},
          {"items", {{"type", "object"}}}}}}},
  };
}

// The text a model reads: the lines themselves, then what was left out and how to get it.
// `budget`: the most bytes of the file's text a read returns.
std::string rendered_text(const FileContent& content, const std::string& shown, size_t budget) {
  std::string text = content.text;
  const bool known = content.total_lines.has_value();
  if (known && *content.total_lines == 0) text = "(" + shown + " is empty)";
  if (content.line_cut) {
    text += "\n[Line " + std::to_string(content.end_line) + " is longer than " +
            human_bytes(budget) + " and was cut short.]";
  }
  if (content.truncated) {
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    const std::string of_total =
        known ? " of " + std::to_string(*content.total_lines) + "; " +
                    std::to_string(*content.total_lines - content.end_line) + " more"
              : " of a file too large to count (" + human_bytes(content.size) + "); more";
    text += "[Showing lines " + std::to_string(content.start_line) + "-" +
            std::to_string(content.end_line) + of_total +
            ". Call fs_read with offset=" + std::to_string(content.end_line + 1) + " to continue.]";
  }
  return text;
}

// Each line prefixed with its number, right-aligned, and a tab: the form editors and models use
// to point at a line ("   12\tint main()").
std::string numbered(const std::string& text, int64_t first_line) {
  std::string out;
  int64_t line = first_line;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    const std::string number = std::to_string(line++);
    out.append(number.size() < 6 ? 6 - number.size() : 0, ' ');
    out += number + "\t";
    out.append(text, at, end == std::string::npos ? std::string::npos : end - at + 1);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

// One file read for fs_read: its structured entry and its text, or the refusal (with a hint).
struct FileRead {
  nlohmann::json structured;
  std::string text;
  std::optional<nlohmann::json> image;  // an image content block
  size_t text_bytes = 0;
};

// `budget`: the most bytes of text to return; lines past it are left for a call with `offset`.
Result<FileRead> read_one(WorkspaceProvider& provider, const nlohmann::json& args,
                          const std::string& path, bool line_numbers, size_t budget,
                          ToolContext& context) {
  nlohmann::json target_args = args;
  target_args["path"] = path;
  auto target = resolve(provider, target_args);
  if (!target) return target.take_error();
  ReadWindow window;
  window.offset = args.value("offset", int64_t{1});
  window.limit = args.value("limit", ReadWindow::kMaxLines);
  window.max_text_bytes = budget;
  window.cancelled = [&context] { return context.cancelled(); };
  auto content = read_file(*target->workspace, target->relative, target->shown, window);
  if (!content) {
    const Error& error = content.error();
    if (error.code == "binary") {
      return Error::make(error.message + ". Use fs_stat for its size and type.", error.code);
    }
    if (error.code == "is_directory") {
      return Error::make(error.message + ". Use fs_list to see its entries.", error.code);
    }
    if (error.code == "past_end" || error.code == "not_utf8" || error.code == "too_large") {
      return Error::make(error.message + ".", error.code);
    }
    return content.take_error();
  }
  FileRead read;
  read.structured = to_json(*content, target->shown);
  if (content->kind == FileContent::Kind::kImage) {
    read.image = {{"type", "image"},
                  {"data", base64::encode(content->bytes)},
                  {"mimeType", content->mime_type}};
    read.text = "Image " + target->shown + " (" + content->mime_type + ", " +
                human_bytes(content->size) + ")";
    return read;
  }
  read.text_bytes = content->text.size();
  if (line_numbers && !content->text.empty()) {
    content->text = numbered(content->text, content->start_line);
  }
  read.text = rendered_text(*content, target->shown, budget);
  return read;
}

// A read returns at most the server's output budget of text (the window ends at the last whole
// line within it, and the text says which offset continues), so a large file costs a model one
// budget, not the 256 KiB a window may hold. Several files in one call share that budget: once
// it is spent, the rest are listed as not read (each can be read on its own).
constexpr size_t kMaxFilesPerRead = 10;

ToolResult fs_read(WorkspaceProvider& provider, const nlohmann::json& args, ToolContext& context) {
  const bool line_numbers = args.value("line_numbers", false);
  const auto paths = args.find("paths");
  const bool one = paths == args.end();
  if (one == !args.contains("path")) {
    return ToolResult::error("Give either `path` (one file) or `paths` (several), not both.");
  }
  if (one) {
    auto read = read_one(provider, args, args["path"].get<std::string>(), line_numbers,
                         kDefaultOutputBudget, context);
    if (!read) return error_result(read.error());
    if (read->image) {
      ToolResult result;
      result.content.push_back(*read->image);
      result.content.push_back({{"type", "text"}, {"text", read->text}});
      result.structured = std::move(read->structured);
      return result;
    }
    return ToolResult::success(std::move(read->structured), std::move(read->text));
  }
  ToolResult result;
  nlohmann::json files = nlohmann::json::array();
  std::string text;
  size_t spent = 0;
  bool any_read = false;
  for (const auto& path_value : *paths) {
    const std::string path = path_value.get<std::string>();
    text += (text.empty() ? "" : "\n") + std::string("==> ") + path + " <==\n";
    if (spent >= kDefaultOutputBudget) {
      const std::string spent_note =
          "this call's " + human_bytes(kDefaultOutputBudget) + " are spent";
      files.push_back({{"path", path}, {"error", "not read: " + spent_note}});
      text += "[Not read: " + spent_note + ". Read it on its own.]\n";
      continue;
    }
    auto read = read_one(provider, args, path, line_numbers, kDefaultOutputBudget - spent, context);
    if (!read) {
      const std::string message = error_result(read.error()).content[0].value("text", "");
      files.push_back({{"path", path}, {"error", message}});
      text += "[" + message + "]\n";
      continue;
    }
    any_read = true;
    spent += read->text_bytes;
    if (read->image) result.content.push_back(*read->image);
    files.push_back(std::move(read->structured));
    text += read->text;
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
  }
  result.content.push_back({{"type", "text"}, {"text", std::move(text)}});
  result.structured = nlohmann::json{{"files", std::move(files)}};
  result.is_error = !any_read;
  return result;
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
                     human_bytes(st->st_size) + ", mode " + octal_mode(st->st_mode) +
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
      "Read a text file (or image); offset/limit select lines, `paths` reads several.";
  read.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", path_property("File path.")},
        {"paths",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"minItems", 1},
          {"maxItems", kMaxFilesPerRead},
          {"description", "Several files."}}},
        {"line_numbers", {{"type", "boolean"}}},
        {"offset",
         {{"type", "integer"}, {"description", "First line (1-based; negative: from the end)."}}},
        {"limit",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", ReadWindow::kMaxLines},
          {"description", "Number of lines."}}}}},
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
  stat.description = "Type, size, mode, time and symlink target of a path.";
  stat.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()}, {"path", path_property("Path (default the root).")}}},
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
