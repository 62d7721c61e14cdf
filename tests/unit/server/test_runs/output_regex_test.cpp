#include "server/test_runs/parsers/output_regex.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "server/test_runs/parsers/summary_parsers.h"
#include "server/test_runs/parsers/test_report.h"

namespace benchtop::test_runs {
namespace {

TEST(OutputRegexTest, MatchIsWholeSubjectAndSearchIsAnywhere) {
  const OutputRegex failed(R"(^(FAILED|ERROR) (\S+?)(?: - (.*))?$)");
  auto whole = failed.match("FAILED tests/a.py::t - assert 1 == 2");
  ASSERT_TRUE(whole);
  EXPECT_EQ((*whole)[1], "FAILED");
  EXPECT_EQ((*whole)[2], "tests/a.py::t");
  EXPECT_EQ((*whole)[3], "assert 1 == 2");
  auto without_message = failed.match("ERROR tests/b.py::u");
  ASSERT_TRUE(without_message);
  EXPECT_EQ((*without_message)[3], "") << "a group that took no part is empty";
  EXPECT_FALSE(failed.match(" FAILED x"));

  const OutputRegex number(R"((\d+) passed)");
  EXPECT_FALSE(number.match("3 passed, 1 failed")) << "match needs the whole subject";
  auto found = number.search("== 3 passed, 1 failed ==");
  ASSERT_TRUE(found);
  EXPECT_EQ((*found)[1], "3");
  EXPECT_FALSE(number.search("3 passed", 1)) << "from an offset past the start";
  EXPECT_EQ(OutputRegex("passed$").search("passed\n"), std::nullopt) << "$ is the very end";
}

TEST(OutputRegexTest, SearchAllFindsEveryMatchIncludingEmptyOnes) {
  const auto numbers = OutputRegex(R"(\d+)").search_all("1 a 22 b 333");
  ASSERT_EQ(numbers.size(), 3u);
  EXPECT_EQ(numbers[2][0], "333");
  EXPECT_EQ(OutputRegex("x*").search_all("ab").size(), 3u);  // empty at 0, 1 and 2
}

TEST(OutputRegexTest, ABadPatternIsRefusedAtConstruction) {
  EXPECT_THROW(OutputRegex("(unclosed"), std::invalid_argument);
}

// A megabyte-long line of test output (a long assertion message, a long test name) used to
// overflow the stack of std::regex and end the server.
TEST(OutputRegexTest, HugeLinesOfTestOutputAreParsedWithoutCrashing) {
  const std::string huge(1 << 20, 'a');
  const TestCounts tap = parse_tap_summary("not ok 1 - " + huge + "\n# fail 1\n");
  ASSERT_EQ(tap.failures.size(), 1u);
  EXPECT_EQ(tap.failures[0].name.size(), huge.size());
  const TestCounts pytest =
      parse_pytest_summary("FAILED t.py::x - " + huge + "\n=== 1 failed in 0.1s ===\n");
  ASSERT_EQ(pytest.failures.size(), 1u);
  EXPECT_EQ(pytest.failed, 1);
  EXPECT_TRUE(parse_any_summary(huge).failures.empty());
  std::string file;
  int line = 0;
  EXPECT_FALSE(find_location(huge, "", file, line));
  ASSERT_TRUE(find_location(huge + " at src/app.py:12", "", file, line));
  EXPECT_EQ(file, "src/app.py");
  EXPECT_EQ(line, 12);
  // A megabyte of path characters before a location: it is all the file's name, found in
  // linear time (the earlier pattern backtracked quadratically here).
  ASSERT_TRUE(find_location(huge + ".py:3", "", file, line));
  EXPECT_EQ(file.size(), huge.size() + 3);
  EXPECT_EQ(line, 3);
}

TEST(OutputRegexTest, LocationsAreTheLastProjectFileMentionedOrThePreferredOne) {
  std::string file;
  int line = 0;
  const std::string trace =
      "at node_modules/lib/x.js:10\n  at src/a.test.ts:4:7\n  at src/b.py:9 .py:1 x.cpp:20";
  ASSERT_TRUE(find_location(trace, "", file, line));
  EXPECT_EQ(file, "x.cpp");
  EXPECT_EQ(line, 20);
  ASSERT_TRUE(find_location(trace, "a.test.ts", file, line));
  EXPECT_EQ(file, "src/a.test.ts");
  EXPECT_EQ(line, 4);
  EXPECT_FALSE(find_location("see .py:1 and node_modules/q.js:2", "", file, line));
}

}  // namespace
}  // namespace benchtop::test_runs
