#include "server/workspace/changes/unified_diff.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

namespace benchtop {
namespace {

std::string numbered(int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i) text += "l" + std::to_string(i) + "\n";
  return text;
}

// A small independent patch applier: proves a diff turns the old text into the new one.
std::string apply_patch(const std::string& old_text, const std::string& diff) {
  std::vector<std::string> old_lines;
  for (size_t start = 0; start < old_text.size();) {
    size_t end = old_text.find('\n', start);
    end = end == std::string::npos ? old_text.size() : end + 1;
    old_lines.push_back(old_text.substr(start, end - start));
    start = end;
  }
  struct Line {
    char op;
    std::string text;
  };
  std::vector<Line> lines;
  size_t pos = 0;
  auto next_line = [&]() {
    size_t end = diff.find('\n', pos);
    if (end == std::string::npos) throw std::runtime_error("diff line without newline");
    std::string line = diff.substr(pos, end - pos + 1);
    pos = end + 1;
    return line;
  };
  if (next_line().rfind("--- a/", 0) != 0) throw std::runtime_error("bad --- header");
  if (next_line().rfind("+++ b/", 0) != 0) throw std::runtime_error("bad +++ header");
  std::string out;
  size_t old_index = 0;
  while (pos < diff.size()) {
    std::string header = next_line();
    int a = 0, b = 1, c = 0, d = 1;
    if (std::sscanf(header.c_str(), "@@ -%d,%d +%d,%d @@", &a, &b, &c, &d) != 4) {
      b = d = 1;
      int n = std::sscanf(header.c_str(), "@@ -%d +%d,%d @@", &a, &c, &d);
      if (n != 3) {
        d = 1;
        if (std::sscanf(header.c_str(), "@@ -%d,%d +%d @@", &a, &b, &c) != 3) {
          b = 1;
          if (std::sscanf(header.c_str(), "@@ -%d +%d @@", &a, &c) != 2) {
            throw std::runtime_error("bad hunk header: " + header);
          }
        }
      }
    }
    const size_t first = b == 0 ? static_cast<size_t>(a) : static_cast<size_t>(a - 1);
    if (first < old_index) throw std::runtime_error("hunks overlap");
    while (old_index < first) out += old_lines.at(old_index++);
    lines.clear();
    int seen_old = 0, seen_new = 0;
    while (seen_old < b || seen_new < d || (pos < diff.size() && diff[pos] == '\\')) {
      std::string line = next_line();
      if (line[0] == '\\') {
        if (lines.empty()) throw std::runtime_error("marker without line");
        lines.back().text.pop_back();
        continue;
      }
      lines.push_back({line[0], line.substr(1)});
      if (line[0] != '+') ++seen_old;
      if (line[0] != '-') ++seen_new;
    }
    if (seen_old != b || seen_new != d) throw std::runtime_error("hunk counts wrong");
    for (const auto& line : lines) {
      if (line.op == '+') {
        out += line.text;
        continue;
      }
      if (old_lines.at(old_index) != line.text) throw std::runtime_error("context mismatch");
      if (line.op == ' ') out += line.text;
      ++old_index;
    }
  }
  while (old_index < old_lines.size()) out += old_lines[old_index++];
  return out;
}

size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> table(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      table[i][j] = a[i - 1] == b[j - 1] ? table[i - 1][j - 1] + 1
                                         : std::max(table[i - 1][j], table[i][j - 1]);
    }
  }
  return table[a.size()][b.size()];
}

TEST(UnifiedDiff, EqualTextsGiveNothing) {
  auto diff = unified_diff("a\nb\n", "a\nb\n", "f");
  EXPECT_EQ(diff.text, "");
  EXPECT_EQ(diff.hunks, 0u);
}

TEST(UnifiedDiff, OneChangedLineWithThreeLinesOfContext) {
  std::string changed = numbered(1, 10);
  changed.replace(changed.find("l5\n"), 3, "L5\n");
  auto diff = unified_diff(numbered(1, 10), changed, "src/f.txt");
  EXPECT_EQ(diff.text,
            "--- a/src/f.txt\n+++ b/src/f.txt\n"
            "@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+L5\n l6\n l7\n l8\n");
  EXPECT_EQ(diff.lines_added, 1u);
  EXPECT_EQ(diff.lines_removed, 1u);
  EXPECT_EQ(diff.hunks, 1u);
}

TEST(UnifiedDiff, ChangesAtTheEdges) {
  EXPECT_EQ(unified_diff("", "x\n", "f").text, "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n");
  EXPECT_EQ(unified_diff("x\n", "", "f").text, "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-x\n");
  EXPECT_EQ(unified_diff("a\nb\n", "z\na\nb\n", "f").text,
            "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n+z\n a\n b\n");
  EXPECT_EQ(unified_diff(numbered(1, 8), numbered(1, 8) + "new\n", "f").text,
            "--- a/f\n+++ b/f\n@@ -6,3 +6,4 @@\n l6\n l7\n l8\n+new\n");
  // Pure insertion in the middle: the empty old range names the line before it.
  EXPECT_EQ(unified_diff("a\n", "a\nb\n", "f", 0).text, "--- a/f\n+++ b/f\n@@ -1,0 +2 @@\n+b\n");
}

TEST(UnifiedDiff, MarksMissingFinalNewline) {
  EXPECT_EQ(unified_diff("a\n", "a\nb", "f").text,
            "--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n");
  EXPECT_EQ(unified_diff("a", "a\n", "f").text,
            "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n");
}

TEST(UnifiedDiff, SeparatesDistantChangesAndMergesCloseOnes) {
  std::string far = numbered(1, 30);
  far.replace(far.find("l3\n"), 3, "X3\n");
  far.replace(far.find("l20\n"), 4, "X20\n");
  auto two = unified_diff(numbered(1, 30), far, "f");
  EXPECT_EQ(two.hunks, 2u);
  EXPECT_NE(two.text.find("@@ -1,6 +1,6 @@"), std::string::npos) << two.text;
  EXPECT_NE(two.text.find("@@ -17,7 +17,7 @@"), std::string::npos) << two.text;

  // Six unchanged lines between changes (2 x context) still make one hunk.
  std::string near = numbered(1, 30);
  near.replace(near.find("l10\n"), 4, "X10\n");
  near.replace(near.find("l17\n"), 4, "X17\n");
  auto one = unified_diff(numbered(1, 30), near, "f");
  EXPECT_EQ(one.hunks, 1u);
  EXPECT_NE(one.text.find("@@ -7,14 +7,14 @@"), std::string::npos) << one.text;
}

TEST(UnifiedDiff, KeepsCarriageReturnsAsPartOfLines) {
  auto diff = unified_diff("a\r\nb\r\n", "a\r\nc\r\n", "f");
  EXPECT_EQ(diff.text, "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n");
}

TEST(UnifiedDiff, RandomEditsApplyAndAreMinimal) {
  std::mt19937 random(7);  // fixed seed: reproducible
  for (int round = 0; round < 400; ++round) {
    auto make = [&](size_t count) {
      std::vector<std::string> lines;
      for (size_t i = 0; i < count; ++i) lines.push_back(std::string(1, char('a' + random() % 4)));
      return lines;
    };
    auto a = make(random() % 25);
    auto b = make(random() % 25);
    std::string old_text, new_text;
    for (auto& l : a) old_text += l + "\n";
    for (auto& l : b) new_text += l + "\n";
    if (random() % 3 == 0 && !old_text.empty()) old_text.pop_back();
    if (random() % 3 == 0 && !new_text.empty()) new_text.pop_back();
    const int context = static_cast<int>(random() % 4);
    auto diff = unified_diff(old_text, new_text, "f", context);
    if (old_text == new_text) {
      EXPECT_TRUE(diff.text.empty());
      continue;
    }
    ASSERT_EQ(apply_patch(old_text, diff.text), new_text) << diff.text;
    if (old_text.empty() || new_text.empty() || old_text.back() != '\n' ||
        new_text.back() != '\n') {
      continue;  // the minimality check below compares whole lines with newlines
    }
    EXPECT_EQ(diff.lines_added + diff.lines_removed, a.size() + b.size() - 2 * lcs_length(a, b))
        << "round " << round;
  }
}

TEST(UnifiedDiff, LargeFileWithLocalChanges) {
  const std::string old_text = numbered(1, 200000);
  std::string new_text = old_text;
  new_text.replace(new_text.find("l100\n"), 5, "changed\n");
  new_text.insert(new_text.find("l150000\n"), "inserted\n");
  new_text.erase(new_text.find("l199990\n"), 8);
  auto diff = unified_diff(old_text, new_text, "big");
  EXPECT_EQ(diff.hunks, 3u);
  EXPECT_EQ(diff.lines_added, 2u);
  EXPECT_EQ(diff.lines_removed, 2u);
  EXPECT_EQ(apply_patch(old_text, diff.text), new_text);
}

TEST(UnifiedDiff, CompletelyDifferentLargeTextsStillGiveACorrectDiff) {
  // Far past the minimal-search cost limit: the output must still apply.
  std::mt19937 random(11);
  std::string old_text, new_text;
  for (int i = 0; i < 12000; ++i) old_text += "o" + std::to_string(random() % 500) + "\n";
  for (int i = 0; i < 12000; ++i) new_text += "o" + std::to_string(random() % 500) + "\n";
  auto diff = unified_diff(old_text, new_text, "f");
  EXPECT_EQ(apply_patch(old_text, diff.text), new_text);
}

}  // namespace
}  // namespace benchtop
