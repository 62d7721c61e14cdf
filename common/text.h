// Small helpers for plain text, header-only.
#pragma once

#include <string>
#include <string_view>

namespace benchtop {

// `text` without spaces, tabs, carriage returns and newlines at either end.
inline std::string_view trim_whitespace(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// `text` single-quoted for /bin/sh: one word, whatever it holds.
inline std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

}  // namespace benchtop
