// What both patch parsers share: the patch split into numbered lines, and errors that name one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/text.h"
#include "server/workspace/patch/patch.h"

namespace benchtop::patch {

class PatchText {
 public:
  explicit PatchText(std::string_view text);

  size_t size() const { return lines_.size(); }
  // The line without its '\n' (a '\r' before it is kept): what hunk lines are made of.
  std::string_view raw(size_t index) const { return lines_[index]; }
  // The line without its line end: what headers and markers are compared as.
  std::string_view bare(size_t index) const;
  bool blank(size_t index) const;

 private:
  std::vector<std::string_view> lines_;
};

// A line as an error message quotes it: in quotes, cut after 80 bytes.
std::string quoted(std::string_view line);

// An error about the line at 0-based `index` ("Line 12: ...", code "invalid_patch").
Error invalid_at(size_t index, const std::string& message);

// "@@ -12,3 +12,4 @@ ...": the start and count of each side (a count left out is 1).
struct HunkRange {
  size_t old_start = 0, old_count = 0, new_start = 0, new_count = 0;
};
std::optional<HunkRange> parse_hunk_range(std::string_view header);

// The two forms, over lines [begin, end) without leading or trailing blank lines.
Result<Patch> parse_unified_diff(const PatchText& text, size_t begin, size_t end);
Result<Patch> parse_envelope(const PatchText& text, size_t begin, size_t end);

}  // namespace benchtop::patch
