// Glob patterns over '/'-separated relative paths, shared by fs_glob, fs_grep's file filter and
// .gitignore rules.
//
// Syntax: `*` any run of characters within one path component, `?` one character (not '/'),
// `[abc]`, `[a-z]`, `[!x]` / `[^x]` and POSIX classes such as `[[:digit:]]`, `**` as a whole
// component matching zero or more components (a trailing `/**` needs at least one), `{a,b}`
// alternatives (nestable, may contain '/'), and `\` escaping the next character. A `**` that is
// not a whole component behaves like `*`. Malformed brackets and braces are taken literally, so
// compiling never fails on syntax; it fails only when brace expansion would explode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace benchtop {

class GlobPattern {
 public:
  struct Options {
    bool braces = true;  // .gitignore has no {a,b}; there a brace is an ordinary character
  };

  static Result<GlobPattern> compile(std::string_view pattern, Options options);
  static Result<GlobPattern> compile(std::string_view pattern) { return compile(pattern, {}); }

  // Whether the whole of `path` (relative, no leading '/', components separated by '/') matches.
  bool matches(std::string_view path) const;

  // Whether some path strictly beneath directory `dir` could match; lets a walker prune
  // directories that cannot contain results. Conservative: true when unsure.
  bool could_match_beneath(std::string_view dir) const;

  const std::string& source() const { return source_; }

  // Public only for the implementation's helpers; not part of the interface.
  struct Token {
    enum class Kind : uint8_t { kLiteral, kAnyChar, kStar, kClass } kind;
    char literal = 0;
    bool negated = false;
    std::vector<std::pair<unsigned char, unsigned char>> ranges;  // for kClass
  };
  struct Segment {
    enum class Kind : uint8_t { kLiteral, kGlobStar, kSuffix, kPrefix, kTokens } kind;
    std::string text;  // kLiteral: the component; kSuffix/kPrefix: the fixed part
    std::vector<Token> tokens;
  };
  struct Alternative {
    std::vector<Segment> segments;
  };

 private:
  std::string source_;
  std::vector<Alternative> alternatives_;
};

}  // namespace benchtop
