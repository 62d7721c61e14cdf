// File names are arbitrary bytes; results are UTF-8 text with one entry per line. A name holding
// a newline could forge entries, and one that is not UTF-8 could not be written in JSON at all,
// nor (after replacement characters) be named again. So names leave the server escaped, and path
// arguments are unescaped by the workspace guard, which makes every listed name usable as a path:
//
//   "\\"    a backslash
//   "\xHH"  the byte HH (two hex digits): control characters (newline, tab, ...), DEL, bytes that
//           are not valid UTF-8, and the line separators U+0085, U+2028 and U+2029 (byte by byte)
//
// Every other character is written as it is. On input, a backslash not followed by one of these
// forms stays a backslash, so paths written by hand keep working.
#pragma once

#include <string>
#include <string_view>

namespace benchtop {

std::string escape_path(std::string_view raw);
std::string unescape_path(std::string_view shown);

}  // namespace benchtop
