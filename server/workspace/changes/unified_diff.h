// Line-based unified diffs (the `diff -u` / `git diff` format) between two in-memory texts, used to
// show what an edit did or would do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace benchtop {

struct UnifiedDiff {
  std::string text;  // empty when the texts are equal
  size_t lines_added = 0;
  size_t lines_removed = 0;
  size_t hunks = 0;
};

// A diff with `--- a/<path>` / `+++ b/<path>` headers and @@ hunks with `context` lines of
// context; a last line without a newline is marked "\ No newline at end of file". Lines are
// compared byte for byte (a "\r" stays part of its line).
//
// Myers' O((N+M)·D) algorithm in linear space, so files of a few MB with local changes diff in
// milliseconds. Inputs that differ almost everywhere stop searching for a minimal script past a
// fixed cost and report larger replaced blocks instead: the diff stays correct, only less minimal.
UnifiedDiff unified_diff(std::string_view old_text, std::string_view new_text,
                         std::string_view path, int context = 3);

}  // namespace benchtop
