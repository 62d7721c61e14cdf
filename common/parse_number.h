// Numbers read from text — headers, query parameters, flags, /proc and cgroup files, tool output —
// all go through here: the whole text must be the number (no sign for unsigned types, no
// whitespace, no locale), and failure is an empty optional, never an exception. Header-only, so
// the HTTP module can use it without linking the core.
#pragma once

#include <charconv>
#include <concepts>
#include <optional>
#include <string_view>
#include <system_error>

namespace benchtop {

template <std::integral T>
std::optional<T> parse_integer(std::string_view text, int base = 10) {
  if (text.empty() || text.front() == '+') return std::nullopt;
  T value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value, base);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

// A decimal number such as "1.5" (Retry-After seconds); no exponent, sign or whitespace.
inline std::optional<double> parse_decimal(std::string_view text) {
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace benchtop
