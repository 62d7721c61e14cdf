#include "server/workspace/changes/unified_diff.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace benchtop {
namespace {

// Past this many edits in one sub-problem the search gives up on minimality (see the header).
constexpr int kMaxEditCost = 4096;

// Lines including their '\n' (the last may lack it).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// Finds a shortest edit script between a and b (sequences of line ids) and marks, in `removed` and
// `added`, the lines that are not part of the common subsequence.
class Myers {
 public:
  Myers(const std::vector<int>& a, const std::vector<int>& b, std::vector<char>& removed,
        std::vector<char>& added)
      : a_(a), b_(b), removed_(removed), added_(added) {}

  void run() { compare(0, static_cast<int>(a_.size()), 0, static_cast<int>(b_.size())); }

 private:
  void compare(int a_lo, int a_hi, int b_lo, int b_hi) {
    while (a_lo < a_hi && b_lo < b_hi && a_[a_lo] == b_[b_lo]) ++a_lo, ++b_lo;
    while (a_lo < a_hi && b_lo < b_hi && a_[a_hi - 1] == b_[b_hi - 1]) --a_hi, --b_hi;
    if (a_lo == a_hi || b_lo == b_hi) {
      replace(a_lo, a_hi, b_lo, b_hi);
      return;
    }
    int split_a = 0;
    int split_b = 0;
    if (!middle_snake(a_lo, a_hi, b_lo, b_hi, split_a, split_b)) {
      replace(a_lo, a_hi, b_lo, b_hi);
      return;
    }
    compare(a_lo, split_a, b_lo, split_b);
    compare(split_a, a_hi, split_b, b_hi);
  }

  void replace(int a_lo, int a_hi, int b_lo, int b_hi) {
    for (int i = a_lo; i < a_hi; ++i) removed_[i] = 1;
    for (int j = b_lo; j < b_hi; ++j) added_[j] = 1;
  }

  // Searches forwards from the start and backwards from the end at once until the two furthest-
  // reaching paths overlap; the overlap point splits the problem into two halves of about half
  // the cost. Returns false when there is no useful split (then the caller replaces the block).
  bool middle_snake(int a_lo, int a_hi, int b_lo, int b_hi, int& split_a, int& split_b) {
    const int n = a_hi - a_lo;
    const int m = b_hi - b_lo;
    const int max_d = std::min((n + m + 1) / 2, kMaxEditCost);
    const int offset = max_d + 1;
    std::vector<int> forward(2 * offset + 2, -1);
    std::vector<int> backward(2 * offset + 2, -1);
    forward[offset + 1] = 0;
    backward[offset + 1] = 0;
    const int delta = n - m;
    const bool odd = (delta & 1) != 0;
    auto a = [&](int x) { return a_[a_lo + x]; };
    auto b = [&](int y) { return b_[b_lo + y]; };
    // Diagonals that ran off the edit graph are not explored again.
    int f_start = 0, f_end = 0, b_start = 0, b_end = 0;
    for (int d = 0; d < max_d; ++d) {
      for (int k = -d + f_start; k <= d - f_end; k += 2) {
        const int i = offset + k;
        int x = (k == -d || (k != d && forward[i - 1] < forward[i + 1])) ? forward[i + 1]
                                                                         : forward[i - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a(x) == b(y)) ++x, ++y;
        forward[i] = x;
        if (x > n) {
          f_end += 2;
        } else if (y > m) {
          f_start += 2;
        } else if (odd) {
          const int j = offset + delta - k;
          if (j >= 0 && j < static_cast<int>(backward.size()) && backward[j] != -1 &&
              x >= n - backward[j]) {
            split_a = a_lo + x;
            split_b = b_lo + y;
            return true;
          }
        }
      }
      for (int k = -d + b_start; k <= d - b_end; k += 2) {
        const int i = offset + k;
        int x = (k == -d || (k != d && backward[i - 1] < backward[i + 1])) ? backward[i + 1]
                                                                           : backward[i - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a(n - x - 1) == b(m - y - 1)) ++x, ++y;
        backward[i] = x;
        if (x > n) {
          b_end += 2;
        } else if (y > m) {
          b_start += 2;
        } else if (!odd) {
          const int j = offset + delta - k;
          if (j >= 0 && j < static_cast<int>(forward.size()) && forward[j] != -1) {
            const int fx = forward[j];
            const int fy = fx - (j - offset);
            if (fx >= n - x) {
              split_a = a_lo + fx;
              split_b = b_lo + fy;
              return true;
            }
          }
        }
      }
    }
    // Too costly for a minimal script: split where the forward search got furthest, which keeps
    // the output a correct (if longer) diff and each half smaller than the whole.
    int best_x = -1, best_y = -1;
    for (int k = -max_d; k <= max_d; ++k) {
      const int x = forward[offset + k];
      const int y = x - k;
      if (x < 0 || x > n || y < 0 || y > m) continue;
      if (x + y > best_x + best_y) best_x = x, best_y = y;
    }
    if (best_x + best_y <= 0 || (best_x == n && best_y == m)) return false;
    split_a = a_lo + best_x;
    split_b = b_lo + best_y;
    return true;
  }

  const std::vector<int>& a_;
  const std::vector<int>& b_;
  std::vector<char>& removed_;
  std::vector<char>& added_;
};

enum class Op { kEqual, kRemove, kAdd };
struct Step {
  Op op;
  size_t old_index;  // for kEqual and kRemove: the old line; for kAdd: the old position
  size_t new_index;  // for kEqual and kAdd: the new line; for kRemove: the new position
};

void append_line(std::string& out, char prefix, std::string_view line) {
  out.push_back(prefix);
  out.append(line);
  if (line.empty() || line.back() != '\n') out.append("\n\\ No newline at end of file\n");
}

std::string range(size_t start, size_t count) {
  // An empty range names the line before it (0 for the start of the file), as diff -u does.
  const size_t shown = count == 0 ? start : start + 1;
  return count == 1 ? std::to_string(shown) : std::to_string(shown) + "," + std::to_string(count);
}

}  // namespace

UnifiedDiff unified_diff(std::string_view old_text, std::string_view new_text,
                         std::string_view path, int context) {
  UnifiedDiff result;
  if (old_text == new_text) return result;
  context = std::max(context, 0);

  const auto old_lines = split_lines(old_text);
  const auto new_lines = split_lines(new_text);
  std::unordered_map<std::string_view, int> ids;
  auto intern = [&](const std::vector<std::string_view>& lines) {
    std::vector<int> out;
    out.reserve(lines.size());
    for (auto line : lines)
      out.push_back(ids.emplace(line, static_cast<int>(ids.size())).first->second);
    return out;
  };
  const auto a = intern(old_lines);
  const auto b = intern(new_lines);
  std::vector<char> removed(a.size(), 0);
  std::vector<char> added(b.size(), 0);
  Myers(a, b, removed, added).run();

  std::vector<Step> steps;
  steps.reserve(a.size() + b.size());
  for (size_t i = 0, j = 0; i < a.size() || j < b.size();) {
    if (i < a.size() && removed[i]) {
      steps.push_back({Op::kRemove, i++, j});
    } else if (j < b.size() && added[j]) {
      steps.push_back({Op::kAdd, i, j++});
    } else {
      steps.push_back({Op::kEqual, i++, j++});
    }
  }

  result.text = "--- a/" + std::string(path) + "\n+++ b/" + std::string(path) + "\n";
  const size_t ctx = static_cast<size_t>(context);
  size_t s = 0;
  while (s < steps.size()) {
    while (s < steps.size() && steps[s].op == Op::kEqual) ++s;
    if (s == steps.size()) break;
    // The hunk runs from `context` equal lines before the first change to `context` equal lines
    // after the last change that is followed by fewer than 2*context+1 equal lines.
    const size_t begin = s >= ctx ? s - ctx : 0;
    size_t last_change = s;
    size_t e = s;
    while (e < steps.size()) {
      if (steps[e].op != Op::kEqual) {
        last_change = e;
        ++e;
        continue;
      }
      size_t run = e;
      while (run < steps.size() && steps[run].op == Op::kEqual) ++run;
      if (run == steps.size() || run - e > 2 * ctx) break;
      e = run;
    }
    const size_t end = std::min(steps.size(), last_change + 1 + ctx);

    size_t old_count = 0, new_count = 0;
    for (size_t k = begin; k < end; ++k) {
      if (steps[k].op != Op::kAdd) ++old_count;
      if (steps[k].op != Op::kRemove) ++new_count;
    }
    result.text += "@@ -" + range(steps[begin].old_index, old_count) + " +" +
                   range(steps[begin].new_index, new_count) + " @@\n";
    for (size_t k = begin; k < end; ++k) {
      switch (steps[k].op) {
        case Op::kEqual:
          append_line(result.text, ' ', old_lines[steps[k].old_index]);
          break;
        case Op::kRemove:
          append_line(result.text, '-', old_lines[steps[k].old_index]);
          ++result.lines_removed;
          break;
        case Op::kAdd:
          append_line(result.text, '+', new_lines[steps[k].new_index]);
          ++result.lines_added;
          break;
      }
    }
    ++result.hunks;
    s = end;
  }
  return result;
}

}  // namespace benchtop
