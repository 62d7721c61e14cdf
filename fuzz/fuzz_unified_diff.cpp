// The unified diff: the texts before and after the first NUL byte. Never crashes, equal texts
// give an empty diff, and applying the diff's hunks to the old text gives the new text.
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "server/workspace/changes/unified_diff.h"

namespace {

// Lines with their "\n" (the last one may lack it).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const size_t length = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(0, length));
    text.remove_prefix(length);
  }
  return lines;
}

std::string_view without_newline(std::string_view line) {
  return line.ends_with('\n') ? line.substr(0, line.size() - 1) : line;
}

// Applies `diff` (as unified_diff writes it) to `old_text`; aborts on anything inconsistent.
std::string apply(std::string_view old_text, std::string_view diff) {
  const auto old_lines = lines_of(old_text);
  const auto diff_lines = lines_of(diff);
  if (diff_lines.size() < 3 || !diff_lines[0].starts_with("--- ") ||
      !diff_lines[1].starts_with("+++ ")) {
    std::abort();
  }
  std::string out;
  size_t next_old = 0;  // index into old_lines
  char previous = 0;    // the kind of the last body line
  for (size_t i = 2; i < diff_lines.size(); ++i) {
    const std::string_view line = diff_lines[i];
    if (line.starts_with("@@ -")) {
      // "@@ -start[,count] +start[,count] @@"; an empty old range names the line it follows.
      size_t used = 0;
      const std::string numbers(line.substr(4));
      const size_t start = std::stoul(numbers, &used);
      const size_t count = numbers[used] == ',' ? std::stoul(numbers.substr(used + 1)) : 1;
      const size_t copy_to = count == 0 ? start : start - 1;
      if (copy_to < next_old || copy_to > old_lines.size()) std::abort();
      for (; next_old < copy_to; ++next_old) out += old_lines[next_old];
      previous = 0;
      continue;
    }
    if (line.starts_with("\\ ")) {
      if (previous == 0) std::abort();
      if (previous != '-') {
        if (!out.ends_with('\n')) std::abort();
        out.pop_back();
      }
      previous = 0;
      continue;
    }
    if (line.empty() || !line.ends_with('\n')) std::abort();
    const std::string_view body = line.substr(1);
    previous = line.front();
    if (previous == ' ' || previous == '-') {
      if (next_old >= old_lines.size() ||
          without_newline(old_lines[next_old]) != without_newline(body)) {
        std::abort();
      }
      ++next_old;
    } else if (previous != '+') {
      std::abort();
    }
    if (previous != '-') out += body;
  }
  for (; next_old < old_lines.size(); ++next_old) out += old_lines[next_old];
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [old_text, new_text] =
      benchtop::fuzz::split_at_nul(benchtop::fuzz::as_text(data, size));
  const benchtop::UnifiedDiff diff = benchtop::unified_diff(old_text, new_text, "f");
  if ((old_text == new_text) != diff.text.empty()) std::abort();
  if (diff.text.empty()) return 0;
  if (apply(old_text, diff.text) != new_text) std::abort();
  return 0;
}
