#include "server/workspace/browse/file_reading.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "common/utf8.h"
#include "server/workspace/browse/file_chunks.h"
#include "server/workspace/regular_file.h"
#include "server/workspace/workspace.h"

namespace benchtop {
namespace {

constexpr size_t kSniffBytes = 8 * 1024;
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

Error cancelled_error() {
  return Error::make("Cancelled", "cancelled");
}

// The lines [first, first+limit) of the file, at most `max_bytes` of them, plus the file's line
// count, found in one streaming pass.
struct Lines {
  std::string text;
  int64_t last_line = 0;  // last line (partly) included; < first when nothing was included
  int64_t total_lines = 0;
  bool total_known = true;  // false when counting stopped at kMaxCountedBytes
  bool line_cut = false;    // a single line longer than the byte cap was cut short
};

Result<Lines> read_lines(FileChunks& file, int64_t first, int64_t limit, size_t max_bytes,
                         const std::function<bool()>& cancelled, bool count_everything) {
  file.rewind();
  Lines window;
  window.last_line = first - 1;
  int64_t line = 1;
  bool line_start = true;    // the next byte starts line `line`
  bool done = false;         // the window is full; only counting lines from here on
  size_t current_start = 0;  // where the line being collected starts in window.text
  char last_byte = '\n';
  int64_t newlines = 0;
  for (;;) {
    if (cancelled && cancelled()) return cancelled_error();
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
        if (window.text.size() + segment.size() <= max_bytes) {
          window.text.append(segment);
        } else if (current_start == 0) {
          // The first line alone is over the cap: return its beginning rather than nothing.
          window.text.append(segment);
          window.text.resize(utf8_floor(window.text, max_bytes));
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

Result<FileContent> read_image(FileChunks& file, int64_t size, std::string_view shown,
                               std::string mime_type) {
  if (static_cast<size_t>(size) > ReadWindow::kMaxImageBytes) {
    return Error::make(std::string(shown) + " is an image of " + std::to_string(size) +
                           " bytes, over the " +
                           std::to_string(ReadWindow::kMaxImageBytes / (1024 * 1024)) +
                           " MiB limit for image content",
                       "too_large");
  }
  // The file as it was when opened: bytes appended meanwhile are left out.
  FileContent content;
  content.kind = FileContent::Kind::kImage;
  content.mime_type = std::move(mime_type);
  content.bytes.reserve(static_cast<size_t>(size));
  file.rewind();
  while (content.bytes.size() < static_cast<size_t>(size)) {
    auto chunk = file.next();
    if (!chunk) return chunk.take_error();
    if (chunk->empty()) break;
    content.bytes.append(chunk->substr(0, static_cast<size_t>(size) - content.bytes.size()));
  }
  content.size = static_cast<int64_t>(content.bytes.size());
  return content;
}

}  // namespace

Result<FileContent> read_file(const Workspace& workspace, const std::string& relative,
                              std::string_view shown, const ReadWindow& request) {
  // The guard refuses FIFOs, sockets and devices without blocking.
  auto fd = workspace.open_at(relative, O_RDONLY);
  if (!fd) {
    if (fd.error().code == "is_directory") {
      return Error::make("Is a directory: " + std::string(shown), "is_directory");
    }
    if (fd.error().code == "not_regular") return not_regular_error(shown);
    return fd.take_error();
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return path_error(shown, errno);

  // The first chunk serves the sniff and, for most files, every pass after it.
  FileChunks file(fd->get(), static_cast<size_t>(st.st_size), std::string(shown));
  auto first_chunk = file.next();
  if (!first_chunk) return first_chunk.take_error();
  const std::string_view head = first_chunk->substr(0, kSniffBytes);
  if (auto mime = image_mime_type(head)) return read_image(file, st.st_size, shown, *mime);
  if (head.find('\0') != std::string_view::npos) {
    return Error::make(std::string(shown) +
                           " looks like a binary file (it contains NUL bytes); only UTF-8 text "
                           "and png/jpeg/gif/webp images are read",
                       "binary");
  }

  int64_t offset = request.offset;
  // Clamped here as well as by any schema, so the caps hold whatever a caller passes.
  const int64_t limit = std::clamp<int64_t>(request.limit, 1, ReadWindow::kMaxLines);
  const size_t max_bytes = std::clamp<size_t>(request.max_text_bytes, 1, ReadWindow::kMaxTextBytes);
  if (offset < 0) {
    // From the end: count the lines first (a cheap pass over the file).
    auto count = read_lines(file, 1, 0, max_bytes, request.cancelled, /*count_everything=*/true);
    if (!count) return count.take_error();
    offset = std::max<int64_t>(1, count->total_lines + offset + 1);
  }
  offset = std::max<int64_t>(offset, 1);
  auto lines = read_lines(file, offset, limit, max_bytes, request.cancelled, false);
  if (!lines) return lines.take_error();
  const bool known = lines->total_known;
  const int64_t total = lines->total_lines;
  if (known && offset > total && !(total == 0 && offset == 1)) {
    return Error::make("offset " + std::to_string(offset) + " is past the end of " +
                           std::string(shown) + ", which has " + std::to_string(total) +
                           " lines. Use a smaller offset, or a negative one to read from the end",
                       "past_end");
  }
  if (!is_valid_utf8(lines->text)) {
    return Error::make(std::string(shown) +
                           " is not valid UTF-8 text (a binary file or another encoding); only "
                           "UTF-8 text and png/jpeg/gif/webp images are read",
                       "not_utf8");
  }
  FileContent content;
  content.size = static_cast<int64_t>(st.st_size);
  content.start_line = known && total == 0 ? 0 : offset;
  content.end_line = lines->last_line;
  if (known) content.total_lines = total;
  content.truncated = !known || content.end_line < total;
  content.line_cut = lines->line_cut;
  content.text = std::move(lines->text);
  return content;
}

nlohmann::json to_json(const FileContent& content, std::string_view shown) {
  if (content.kind == FileContent::Kind::kImage) {
    return {{"path", shown},
            {"kind", "image"},
            {"size", content.size},
            {"mime_type", content.mime_type}};
  }
  nlohmann::json json = {{"path", shown},
                         {"kind", "text"},
                         {"size", content.size},
                         {"start_line", content.start_line},
                         {"end_line", content.end_line},
                         {"truncated", content.truncated}};
  if (content.total_lines) json["total_lines"] = *content.total_lines;
  if (content.line_cut) json["line_cut"] = true;
  if (content.truncated) {
    json["next_offset"] = content.end_line + 1;
    if (content.total_lines) json["remaining_lines"] = *content.total_lines - content.end_line;
  }
  json["content"] = content.text;
  return json;
}

}  // namespace benchtop
