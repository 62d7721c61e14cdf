#include "server/workspace/path_escape.h"

#include <cstdint>

#include "common/hex_digit.h"

namespace benchtop {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when there is none.
size_t utf8_sequence(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  size_t length = 0;
  uint32_t min = 0;
  uint32_t code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

bool breaks_lines(std::string_view sequence) {
  return sequence == "\xC2\x85" || sequence == "\xE2\x80\xA8" || sequence == "\xE2\x80\xA9";
}

void append_hex(std::string& out, uint8_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += "\\x";
  out += kDigits[value >> 4];
  out += kDigits[value & 0xF];
}

}  // namespace

std::string escape_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    const auto byte = static_cast<uint8_t>(raw[i]);
    if (byte == '\\') {
      out += "\\\\";
      ++i;
      continue;
    }
    const size_t length = utf8_sequence(raw, i);
    if (length == 0 || byte < 0x20 || byte == 0x7F || breaks_lines(raw.substr(i, length))) {
      const size_t count = length == 0 ? 1 : length;
      for (size_t k = 0; k < count; ++k) append_hex(out, static_cast<uint8_t>(raw[i + k]));
      i += count;
      continue;
    }
    out.append(raw.substr(i, length));
    i += length;
  }
  return out;
}

std::string unescape_path(std::string_view shown) {
  if (shown.find('\\') == std::string_view::npos) return std::string(shown);
  std::string out;
  out.reserve(shown.size());
  for (size_t i = 0; i < shown.size(); ++i) {
    if (shown[i] == '\\' && i + 1 < shown.size()) {
      if (shown[i + 1] == '\\') {
        out += '\\';
        ++i;
        continue;
      }
      if (shown[i + 1] == 'x' && i + 3 < shown.size()) {
        const int high = hex_digit_value(shown[i + 2]);
        const int low = hex_digit_value(shown[i + 3]);
        if (high >= 0 && low >= 0) {
          out += static_cast<char>(high * 16 + low);
          i += 3;
          continue;
        }
      }
    }
    out += shown[i];
  }
  return out;
}

}  // namespace benchtop
