// Helpers shared by the fuzz targets: splitting one input into the parts a target needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace benchtop::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The text before the first newline and the text after it (all of it and "" without one).
inline std::pair<std::string_view, std::string_view> first_line(std::string_view text) {
  const size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return {text, {}};
  return {text.substr(0, newline), text.substr(newline + 1)};
}

// The text before the first NUL byte and the text after it.
inline std::pair<std::string_view, std::string_view> split_at_nul(std::string_view text) {
  const size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return {text, {}};
  return {text.substr(0, nul), text.substr(nul + 1)};
}

}  // namespace benchtop::fuzz
