#include "bench/message_scan.h"

#include <cstring>

namespace benchtop::bench {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Index of the quote that closes the string whose opening quote is at `open`, or npos.
size_t closing_quote(std::string_view text, size_t open) {
  size_t from = open + 1;
  while (from < text.size()) {
    const void* hit = std::memchr(text.data() + from, '"', text.size() - from);
    if (hit == nullptr) return std::string_view::npos;
    const size_t quote = static_cast<const char*>(hit) - text.data();
    size_t backslashes = 0;
    while (quote - backslashes > open + 1 && text[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote;
    from = quote + 1;
  }
  return std::string_view::npos;
}

size_t skip_space(std::string_view text, size_t i) {
  while (i < text.size() && is_space(text[i])) ++i;
  return i;
}

std::optional<int64_t> read_integer(std::string_view text, size_t i) {
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
  int64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9')
    value = value * 10 + (text[i++] - '0');
  return negative ? -value : value;
}

}  // namespace

ScannedMessage scan_message(std::string_view line) {
  ScannedMessage out;
  int depth = 0;
  bool in_result = false;  // inside the top-level "result" object
  size_t i = skip_space(line, 0);
  if (i >= line.size() || line[i] != '{') return out;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '"') {
      const size_t end = closing_quote(line, i);
      if (end == std::string_view::npos) return out;
      const std::string_view text = line.substr(i + 1, end - i - 1);
      size_t next = skip_space(line, end + 1);
      if (next < line.size() && line[next] == ':' && (depth == 1 || (depth == 2 && in_result))) {
        const size_t value = skip_space(line, next + 1);
        if (depth == 1) {
          if (text == "id") out.id = read_integer(line, value);
          if (text == "method") out.has_method = true;
          if (text == "error") out.has_error = true;
          if (text == "result" && value < line.size() && line[value] == '{') in_result = true;
        } else if (text == "isError") {
          out.tool_error = line.substr(value, 4) == "true";
        }
        next = value;
      }
      i = next;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth == 1) in_result = false;
      if (depth == 0) {
        out.well_formed = skip_space(line, i + 1) == line.size();
        return out;
      }
    }
    ++i;
  }
  return out;
}

}  // namespace benchtop::bench
