// UTF-8 hygiene for text that leaves the server: file contents and file names are arbitrary
// bytes, but JSON strings must be valid UTF-8 (the serializer throws on anything else).
#pragma once

#include <string>
#include <string_view>

namespace benchtop {

// True when `text` is valid UTF-8 (RFC 3629: no overlong forms, surrogates or values past
// U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// The largest n <= limit such that text[0, n) does not end inside a UTF-8 sequence.
size_t utf8_floor(std::string_view text, size_t limit);

}  // namespace benchtop
