#include "server/workspace/search/text_search.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/search_test_support.h"

namespace benchtop {
namespace {

struct Found {
  std::vector<LineMatch> matches;
  bool more = false;
};

Found search(std::string_view pattern, std::string_view text, MatcherOptions options = {},
             LineSearchLimits limits = {}, size_t limit = 1000) {
  auto matcher = TextMatcher::compile(pattern, options);
  EXPECT_TRUE(matcher.ok()) << (matcher.ok() ? "" : matcher.error().message);
  Found found;
  if (!matcher.ok()) return found;
  BufferSearcher searcher(*matcher);
  found.more = searcher.search(text, limits, limit, found.matches);
  return found;
}

std::vector<uint64_t> lines_of(const Found& found) {
  std::vector<uint64_t> lines;
  for (const auto& match : found.matches) lines.push_back(match.line);
  return lines;
}

TEST(TextSearch, ReportsLineNumbersColumnsAndText) {
  auto found = search("b+", "aaa\nxbbby\nccc\nbz");
  ASSERT_EQ(found.matches.size(), 2u);
  EXPECT_EQ(found.matches[0].line, 2u);
  EXPECT_EQ(found.matches[0].column, 2u);
  EXPECT_EQ(found.matches[0].text, "xbbby");
  EXPECT_EQ(found.matches[1].line, 4u);
  EXPECT_EQ(found.matches[1].text, "bz");  // last line without a newline
  EXPECT_FALSE(found.more);
}

TEST(TextSearch, ALineWithSeveralMatchesIsReportedOnce) {
  EXPECT_EQ(lines_of(search("o", "foo boo\nxyz\nzoo\n")), (std::vector<uint64_t>{1, 3}));
}

TEST(TextSearch, MatchesDoNotSpanLines) {
  // Over the whole buffer "foo\s+bar" would match across the newline; per line it must not.
  EXPECT_TRUE(search("foo\\s+bar", "foo\nbar\n").matches.empty());
  EXPECT_EQ(lines_of(search("foo\\s+bar", "foo\nbar\nfoo  bar\n")), (std::vector<uint64_t>{3}));
  EXPECT_EQ(lines_of(search("[^x]+z", "a\nbz\n")), (std::vector<uint64_t>{2}));
  EXPECT_TRUE(search("a\\nb", "a\nb\n").matches.empty());
}

TEST(TextSearch, AnchorsWorkPerLine) {
  EXPECT_EQ(lines_of(search("^fn ", "fn a\n  fn b\nfn c\n")), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(lines_of(search(";$", "a;\nb; c\nd;\r\n")), (std::vector<uint64_t>{1, 3}));
  auto crlf = search("d.$", "xd;\r\n");
  ASSERT_EQ(crlf.matches.size(), 1u);
  EXPECT_EQ(crlf.matches[0].text, "xd;");  // shown without the '\r'
  // An empty match on every line, but not on a phantom line after the final newline.
  EXPECT_EQ(lines_of(search("^", "x\ny\n")), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(search("^", "").matches.empty());
}

TEST(TextSearch, IgnoreCaseAndLiteral) {
  EXPECT_EQ(lines_of(search("todo", "TODO\nTodo\nnope\n", {.ignore_case = true})),
            (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(search("todo", "TODO\n").matches.empty());
  EXPECT_EQ(lines_of(search("a.b(", "axb(\na.b()\n", {.literal = true})),
            (std::vector<uint64_t>{2}));
  EXPECT_EQ(lines_of(search("\xC3\x89T\xC3\x89", "\xC3\xA9t\xC3\xA9\n", {.ignore_case = true})),
            (std::vector<uint64_t>{1}));
}

TEST(TextSearch, InvalidRegexNamesProblemAndOffset) {
  auto matcher = TextMatcher::compile("foo(bar", {});
  ASSERT_FALSE(matcher.ok());
  EXPECT_EQ(matcher.error().code, "invalid_pattern");
  EXPECT_NE(matcher.error().message.find("offset 7"), std::string::npos) << matcher.error().message;
  EXPECT_NE(matcher.error().message.find("missing closing parenthesis"), std::string::npos)
      << matcher.error().message;
  EXPECT_TRUE(TextMatcher::compile("foo(bar", {.literal = true}).ok());
}

TEST(TextSearch, ContextLinesAreNotRepeatedBetweenCloseMatches) {
  const std::string text = "1\n2\nM3\n4\nM5\n6\n7\n8\n9\nM10\n11\n";
  auto found = search("M", text, {}, {.context_before = 2, .context_after = 2});
  ASSERT_EQ(found.matches.size(), 3u);
  EXPECT_EQ(found.matches[0].before, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(found.matches[0].after, (std::vector<std::string>{"4"}));  // trimmed before M5
  EXPECT_TRUE(found.matches[1].before.empty());                        // "4" already shown
  EXPECT_EQ(found.matches[1].after, (std::vector<std::string>{"6", "7"}));
  EXPECT_EQ(found.matches[2].before, (std::vector<std::string>{"8", "9"}));
  EXPECT_EQ(found.matches[2].after, (std::vector<std::string>{"11"}));  // no phantom last line
}

TEST(TextSearch, ContextAtTheStartOfTheBuffer) {
  auto found = search("x", "x\ny\n", {}, {.context_before = 3, .context_after = 0});
  ASSERT_EQ(found.matches.size(), 1u);
  EXPECT_TRUE(found.matches[0].before.empty());
}

TEST(TextSearch, LimitStopsAndSaysWhetherMoreRemain) {
  auto capped = search("a", "a\na\na\n", {}, {}, 2);
  EXPECT_EQ(capped.matches.size(), 2u);
  EXPECT_TRUE(capped.more);
  auto exact = search("a", "a\na\nb\n", {}, {}, 2);
  EXPECT_EQ(exact.matches.size(), 2u);
  EXPECT_FALSE(exact.more);
}

TEST(TextSearch, LongLinesAreCutAroundTheMatchAndTextIsValidUtf8) {
  std::string line(5000, 'x');
  line.replace(3000, 6, "NEEDLE");
  auto found = search("NEEDLE", line + "\n", {}, {.max_line_bytes = 200});
  ASSERT_EQ(found.matches.size(), 1u);
  EXPECT_LE(found.matches[0].text.size(), 210u);
  EXPECT_NE(found.matches[0].text.find("NEEDLE"), std::string::npos);
  EXPECT_EQ(found.matches[0].column, 3001u);

  auto invalid = search("bad", "bad \xFF\xFE bytes\n");
  ASSERT_EQ(invalid.matches.size(), 1u);
  EXPECT_EQ(invalid.matches[0].text, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

TEST(TextSearch, ManyLinesCountCorrectly) {
  std::string text;
  for (int i = 1; i <= 10000; ++i)
    text += (i % 997 == 0 ? "hit " : "line ") + std::to_string(i) + "\n";
  auto found = search("^hit", text);
  ASSERT_EQ(found.matches.size(), 10u);
  for (size_t k = 0; k < found.matches.size(); ++k) {
    EXPECT_EQ(found.matches[k].line, 997u * (k + 1));
    EXPECT_EQ(found.matches[k].text, "hit " + std::to_string(997 * (k + 1)));
  }
}

TEST(TextSearch, FilesSkipBinaryAndRefuseSymlinks) {
  testing::TempTree outside;
  outside.write("secret.txt", "needle outside\n");
  testing::TempTree tree;
  tree.write("text.txt", "a needle\n");
  tree.write("binary.bin", std::string("needle\0\1\2", 9));
  tree.symlink(outside.root() / "secret.txt", "link.txt");
  tree.symlink(outside.root(), "escape");
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());
  auto matcher = TextMatcher::compile("needle", {});
  ASSERT_TRUE(matcher.ok());
  const std::vector<std::string> paths = {"binary.bin", "escape/secret.txt", "link.txt",
                                          "missing.txt", "text.txt"};
  auto report = search_files(**workspace, *matcher, paths, {});
  ASSERT_EQ(report.files.size(), 1u);
  EXPECT_EQ(report.files[0].path, "text.txt");
  EXPECT_EQ(report.binary_skipped, 1u);
  EXPECT_EQ(report.unreadable, 3u);  // the two symlinks and the missing file
  EXPECT_EQ(report.files_searched, 1u);
}

TEST(TextSearch, ParallelResultsAreDeterministicUnderTheCap) {
  testing::TempTree tree;
  std::vector<std::string> paths;
  for (int i = 0; i < 400; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%04d.txt", i);
    // Every third file matches, twice.
    tree.write(name, i % 3 == 0 ? "hit\nmiss\nhit\n" : "miss\n");
    paths.emplace_back(name);
  }
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());
  auto matcher = TextMatcher::compile("hit", {});
  ASSERT_TRUE(matcher.ok());

  FileSearchOptions one;
  one.threads = 1;
  one.max_results = 51;
  FileSearchOptions two = one;
  two.threads = 2;
  const auto a = search_files(**workspace, *matcher, paths, one);
  for (int round = 0; round < 5; ++round) {
    const auto b = search_files(**workspace, *matcher, paths, two);
    ASSERT_EQ(a.files.size(), b.files.size());
    EXPECT_EQ(b.total_matches, 51u);
    EXPECT_TRUE(b.truncated);
    for (size_t i = 0; i < a.files.size(); ++i) {
      EXPECT_EQ(a.files[i].path, b.files[i].path);
      EXPECT_EQ(a.files[i].matches.size(), b.files[i].matches.size());
    }
  }
  ASSERT_EQ(a.files.size(), 26u);  // 25 files with 2 hits, then 1 from the 26th
  EXPECT_EQ(a.files[0].path, "f0000.txt");
  EXPECT_EQ(a.files.back().path, "f0075.txt");
  EXPECT_TRUE(a.files.back().more_in_file);

  FileSearchOptions all = two;
  all.max_results = 1000;
  const auto full = search_files(**workspace, *matcher, paths, all);
  EXPECT_EQ(full.total_matches, 268u);  // 134 matching files
  EXPECT_FALSE(full.truncated);
  EXPECT_EQ(full.files_searched, 400u);
}

}  // namespace
}  // namespace benchtop
