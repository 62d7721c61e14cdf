// fs_read and fs_stat: the read-only file tools.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "common/base64.h"
#include "server/workspace/regular_file.h"
#include "tools/common/workspace_args.h"
#include "tools/fs/file_chunks.h"
#include "tools/fs/fs_common.h"

namespace benchtop::fs_tools {
namespace {

constexpr int64_t kDefaultLineLimit = 2000;
constexpr size_t kMaxTextBytes = 256 * 1024;
constexpr size_t kSniffBytes = 8 * 1024;
constexpr size_t kMaxImageBytes = 10 * 1024 * 1024;
// Past the window, lines are counted only this far into the file, so reading the start of a
// huge log stays cheap; beyond it the total is reported as unknown.
constexpr size_t kMaxCountedBytes = 64 * 1024 * 1024;

std::optional<std::string> image_mime_type(std::string_view head) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return head.size() >= at + magic.size() && head.substr(at, magic.size()) == magic;
  };
  if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (starts("RIFF") && starts("WEBP", 8)) return "image/webp";
  return std::nullopt;
}

// Opens `target` for reading. The guard refuses FIFOs, sockets and devices without blocking.
Result<UniqueFd> open_regular(const Target& target, struct stat& st) {
  auto fd = target.workspace->open_at(target.relative, O_RDONLY);
  if (!fd) {
    if (fd.error().code == "is_directory") {
      return Error::make("Is a directory: " + target.shown + ". Use fs_list to see its entries",
                         "is_directory");
    }
    if (fd.error().code == "not_regular") return not_regular_error(target.shown);
    return fd.take_error();
  }
  if (::fstat(fd->get(), &st) != 0) return path_error(target.shown, errno);
  return fd;
}

// The lines [first, first+limit) of the file, at most kMaxTextBytes of them, plus the file's line
// count, found in one streaming pass.
struct Window {
  std::string text;
  int64_t last_line = 0;  // last line (partly) included; < first when nothing was included
  int64_t total_lines = 0;
  bool total_known = true;  // false when counting stopped at kMaxCountedBytes
  bool line_cut = false;    // a single line longer than the byte cap was cut short
};

Result<Window> read_window(FileChunks& file, int64_t first, int64_t limit,
                           const ToolContext& context, bool count_everything) {
  file.rewind();
  Window window;
  window.last_line = first - 1;
  int64_t line = 1;
  bool line_start = true;    // the next byte starts line `line`
  bool done = false;         // the window is full; only counting lines from here on
  size_t current_start = 0;  // where the line being collected starts in window.text
  char last_byte = '\n';
  int64_t newlines = 0;
  for (;;) {
    if (context.cancelled()) return Error::make("Cancelled", "cancelled");
    auto chunk = file.next();
    if (!chunk) return chunk.take_error();
    if (chunk->empty()) break;
    std::string_view rest = *chunk;
    last_byte = rest.back();
    if (done) {
      if (!count_everything && file.offset() > kMaxCountedBytes) {
        window.total_known = false;
        break;
      }
      newlines += std::count(rest.begin(), rest.end(), '\n');
      continue;
    }
    while (!rest.empty()) {
      const size_t newline = rest.find('\n');
      const size_t length = newline == std::string_view::npos ? rest.size() : newline + 1;
      const std::string_view segment = rest.substr(0, length);
      rest.remove_prefix(length);
      if (!done && line >= first && line < first + limit) {
        if (line_start) {
          current_start = window.text.size();
          window.last_line = line;
        }
        if (window.text.size() + segment.size() <= kMaxTextBytes) {
          window.text.append(segment);
        } else if (current_start == 0) {
          // The first line alone is over the cap: return its beginning rather than nothing.
          window.text.append(segment);
          window.text.resize(utf8_floor(window.text, kMaxTextBytes));
          window.line_cut = true;
          done = true;
        } else {
          window.text.resize(current_start);
          window.last_line = line - 1;
          done = true;
        }
      } else if (line >= first + limit) {
        done = true;
      }
      if (newline != std::string_view::npos) {
        ++newlines;
        ++line;
        line_start = true;
      } else {
        line_start = false;
      }
    }
  }
  window.total_lines = newlines + (file.offset() > 0 && last_byte != '\n' ? 1 : 0);
  return window;
}

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

ToolResult read_image(const Target& target, FileChunks& file, const struct stat& st,
                      const std::string& mime_type) {
  if (static_cast<size_t>(st.st_size) > kMaxImageBytes) {
    return ToolResult::error(target.shown + " is an image of " + std::to_string(st.st_size) +
                             " bytes, over the " + std::to_string(kMaxImageBytes / (1024 * 1024)) +
                             " MiB limit for image content");
  }
  // The file as it was when opened: bytes appended meanwhile are left out.
  const auto size = static_cast<size_t>(st.st_size);
  std::string bytes;
  bytes.reserve(size);
  file.rewind();
  while (bytes.size() < size) {
    auto chunk = file.next();
    if (!chunk) return error_result(chunk.error());
    if (chunk->empty()) break;
    bytes.append(chunk->substr(0, size - bytes.size()));
  }
  ToolResult result;
  result.content.push_back(
      {{"type", "image"}, {"data", base64::encode(bytes)}, {"mimeType", mime_type}});
  result.content.push_back({{"type", "text"},
                            {"text", "Image " + target.shown + " (" + mime_type + ", " +
                                         std::to_string(bytes.size()) + " bytes)"}});
  result.structured = nlohmann::json{{"path", target.shown},
                                     {"kind", "image"},
                                     {"size", static_cast<int64_t>(bytes.size())},
                                     {"mime_type", mime_type}};
  return result;
}

ToolResult fs_read(WorkspaceProvider& provider, const nlohmann::json& args, ToolContext& context) {
  auto target = resolve(provider, args);
  if (!target) return error_result(target.error());
  struct stat st {};
  auto fd = open_regular(*target, st);
  if (!fd) return error_result(fd.error());

  // The first chunk serves the sniff and, for most files, every pass after it.
  FileChunks file(fd->get(), static_cast<size_t>(st.st_size), target->shown);
  auto first_chunk = file.next();
  if (!first_chunk) return error_result(first_chunk.error());
  const std::string_view head = first_chunk->substr(0, kSniffBytes);
  if (auto mime = image_mime_type(head)) return read_image(*target, file, st, *mime);
  if (head.find('\0') != std::string_view::npos) {
    return ToolResult::error(target->shown +
                             " looks like a binary file (it contains NUL bytes); fs_read returns "
                             "text and png/jpeg/gif/webp images only. Use fs_stat for its size and "
                             "type.");
  }

  int64_t offset = args.value("offset", int64_t{1});
  // Clamped as well as checked by the schema, so the caps hold whatever the validator allows.
  const int64_t limit =
      std::clamp<int64_t>(args.value("limit", kDefaultLineLimit), 1, kDefaultLineLimit);
  if (offset < 0) {
    // From the end: count the lines first (a cheap pass over the file).
    auto count = read_window(file, 1, 0, context, /*count_everything=*/true);
    if (!count) return error_result(count.error());
    offset = std::max<int64_t>(1, count->total_lines + offset + 1);
  }
  offset = std::max<int64_t>(offset, 1);
  auto window = read_window(file, offset, limit, context, false);
  if (!window) return error_result(window.error());
  const bool known = window->total_known;
  const int64_t total = window->total_lines;
  if (known && offset > total && !(total == 0 && offset == 1)) {
    return ToolResult::error("offset " + std::to_string(offset) + " is past the end of " +
                             target->shown + ", which has " + std::to_string(total) +
                             " lines. Use a smaller offset, or a negative one to read from the "
                             "end.");
  }
  if (!is_valid_utf8(window->text)) {
    return ToolResult::error(target->shown +
                             " is not valid UTF-8 text (a binary file or another encoding); "
                             "fs_read returns UTF-8 text and png/jpeg/gif/webp images only.");
  }

  const int64_t end_line = window->last_line;
  const bool truncated = !known || end_line < total;
  nlohmann::json structured = {{"path", target->shown},
                               {"kind", "text"},
                               {"size", static_cast<int64_t>(st.st_size)},
                               {"start_line", known && total == 0 ? 0 : offset},
                               {"end_line", end_line},
                               {"truncated", truncated}};
  if (known) structured["total_lines"] = total;
  std::string text = window->text;
  if (known && total == 0) text = "(" + target->shown + " is empty)";
  if (window->line_cut) {
    structured["line_cut"] = true;
    text += "\n[Line " + std::to_string(end_line) + " is longer than " +
            std::to_string(kMaxTextBytes / 1024) + " KiB and was cut short.]";
  }
  if (truncated) {
    structured["next_offset"] = end_line + 1;
    if (known) structured["remaining_lines"] = total - end_line;
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    const std::string of_total =
        known ? " of " + std::to_string(total) + "; " + std::to_string(total - end_line) + " more"
              : " of a file too large to count (" + std::to_string(st.st_size) + " bytes); more";
    text += "[Showing lines " + std::to_string(offset) + "-" + std::to_string(end_line) + of_total +
            ". Call fs_read with offset=" + std::to_string(end_line + 1) + " to continue.]";
  }
  structured["content"] = std::move(window->text);
  return ToolResult::success(std::move(structured), std::move(text));
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
          {"maximum", kDefaultLineLimit},
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
