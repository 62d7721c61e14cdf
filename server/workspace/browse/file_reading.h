// Reads a file of a workspace for someone who will look at it: a window of lines of UTF-8 text, or
// a whole PNG, JPEG, GIF or WebP image. The fs_read tool and the chat page's file viewer read
// through here, so both get the same caps, the same refusal of binary and special files, and the
// same line arithmetic.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop {

class Workspace;

struct ReadWindow {
  static constexpr int64_t kMaxLines = 2000;
  static constexpr size_t kMaxTextBytes = 256 * 1024;
  static constexpr size_t kMaxImageBytes = 10 * 1024 * 1024;
  int64_t offset = 1;  // first line, 1-based; negative counts from the end (-20: the last 20)
  int64_t limit = kMaxLines;  // clamped to [1, kMaxLines]
  // Most bytes of text returned, clamped to [1, kMaxTextBytes]: a tool's output budget.
  size_t max_text_bytes = kMaxTextBytes;
  std::function<bool()> cancelled;  // polled between chunks; may be empty
};

struct FileContent {
  enum class Kind { kText, kImage };
  Kind kind = Kind::kText;
  int64_t size = 0;  // bytes when the file was opened

  // kText: the lines [start_line, end_line], verbatim (at most max_text_bytes of them).
  std::string text;
  int64_t start_line = 0;  // 0 for an empty file
  int64_t end_line = 0;
  std::optional<int64_t> total_lines;  // absent when the file is too large to count
  bool truncated = false;              // lines remain after end_line (or may: total unknown)
  bool line_cut = false;               // line end_line alone was over the cap and is cut short

  // kImage: the whole file.
  std::string bytes;
  std::string mime_type;
};

// Reads `relative` (a Workspace::relative_path result), shown as `shown` in messages. Errors carry
// the guard's codes ("not_found", "is_directory", "not_regular", …) and: "binary" (NUL bytes and
// no known image type), "not_utf8", "too_large" (an image over kMaxImageBytes), "past_end"
// (offset beyond the last line) and "cancelled".
Result<FileContent> read_file(const Workspace& workspace, const std::string& relative,
                              std::string_view shown, const ReadWindow& window);

// The structured form a caller returns: path, kind, size, and for text the content with its line
// numbers and, when truncated, next_offset/remaining_lines to continue from. Image bytes are not
// included (they travel as image content or not at all).
nlohmann::json to_json(const FileContent& content, std::string_view shown);

}  // namespace benchtop
