#include "transport/json_writer.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/utf8.h"

namespace benchtop {
namespace {

// 0: copy as is; 1: ASCII to escape; 2: start of a multi-byte UTF-8 sequence (validated).
constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> classes{};
  for (int c = 0; c < 0x20; ++c) classes[c] = 1;
  classes['"'] = 1;
  classes['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) classes[c] = 2;
  return classes;
}
constexpr std::array<uint8_t, 256> kClasses = make_classes();

void append_escape(unsigned char c, std::string& out) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(escaped, sizeof escaped);
    }
  }
}

// Whether any of the eight bytes in `word` needs more than a copy: a control character, '"', '\\'
// or a byte of a multi-byte UTF-8 sequence. Most text is long runs of plain ASCII; testing eight
// bytes at a time skips them several times faster than the table.
constexpr bool needs_attention(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  const auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHighBits; };
  const uint64_t below_space = (word - 0x20 * kOnes) & ~word & kHighBits;
  return ((word & kHighBits) | below_space | has_zero_byte(word ^ ('"' * kOnes)) |
          has_zero_byte(word ^ ('\\' * kOnes))) != 0;
}

void append_string(const std::string& s, std::string& out) {
  const size_t start = out.size();
  out.reserve(start + s.size() + 2);
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof word);
      if (!needs_attention(word)) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const uint8_t kind = kClasses[c];
    if (kind == 0) {
      ++i;
    } else if (kind == 2) {
      const size_t length = utf8_sequence_length(s, i);
      if (length == 0) {
        out.resize(start);
        out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += length;
    } else {
      out.append(s, run, i - run);
      append_escape(c, out);
      run = ++i;
    }
  }
  out.append(s, run, s.size() - run);
  out.push_back('"');
}

}  // namespace

void append_json(const nlohmann::json& value, std::string& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      append_string(value.get_ref<const std::string&>(), out);
      return;
    case nlohmann::json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out.push_back(',');
        first = false;
        append_string(key, out);
        out.push_back(':');
        append_json(member, out);
      }
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        append_json(element, out);
      }
      out.push_back(']');
      return;
    }
    default:  // null, booleans, numbers, binary: short, and nlohmann's formatting is the rule
      out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace benchtop
