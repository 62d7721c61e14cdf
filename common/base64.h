// Base64 with the standard alphabet (RFC 4648 section 4) and '=' padding: image content in tool
// results, and request bodies in the HTTP transport.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace benchtop::base64 {

std::string encode(std::string_view bytes);
// The URL- and filename-safe alphabet (RFC 4648 section 5: '-' and '_' for '+' and '/') without
// padding: safe unquoted in a cookie value and a URL query, for opaque signed values.
std::string encode_url(std::string_view bytes);

// Strict decoding: the length must be a multiple of 4, padding only at the end (at most two '='),
// no whitespace, no characters outside the alphabet, and unused bits of the last group zero (so
// every byte string has exactly one accepted encoding). Anything else yields std::nullopt.
std::optional<std::string> decode(std::string_view text);

}  // namespace benchtop::base64
