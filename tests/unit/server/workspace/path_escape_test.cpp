// File names with newlines, control characters, backslashes or bytes that are not UTF-8 neither
// forge lines in text results nor become unreachable: every name a listing returns can be passed
// back as a path.
#include "server/workspace/path_escape.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/fs_tools_test_support.h"
#include "tools/search/search_tools.h"

namespace benchtop {
namespace {

using nlohmann::json;

struct EscapeCase {
  std::string raw;
  std::string shown;
};

TEST(PathEscape, EscapesWhatCouldBreakALineOrIsNotUtf8AndRoundTrips) {
  const std::vector<EscapeCase> cases = {
      {"plain/name.txt", "plain/name.txt"},
      {"caf\xC3\xA9.txt", "caf\xC3\xA9.txt"},  // valid UTF-8 stays readable
      {"a\nb", "a\\x0ab"},
      {"a\rb\tc", "a\\x0db\\x09c"},
      {"del\x7F", "del\\x7f"},
      {"bad\xFF\xFE", "bad\\xff\\xfe"},
      {"cut\xC3", "cut\\xc3"},                    // truncated sequence
      {"over\xC0\xAF", "over\\xc0\\xaf"},         // overlong '/'
      {"sur\xED\xA0\x80", "sur\\xed\\xa0\\x80"},  // UTF-16 surrogate
      {"nel\xC2\x85", "nel\\xc2\\x85"},           // U+0085
      {"ls\xE2\x80\xA8", "ls\\xe2\\x80\\xa8"},    // U+2028
      {"back\\slash", "back\\\\slash"},
      {"looks\\x41escaped", "looks\\\\x41escaped"},  // a literal "\x41" stays literal
  };
  for (const auto& c : cases) {
    EXPECT_EQ(escape_path(c.raw), c.shown) << c.shown;
    EXPECT_EQ(unescape_path(c.shown), c.raw) << c.shown;
    EXPECT_EQ(escape_path(c.shown).find('\n'), std::string::npos);
  }
  // A backslash that starts no escape is kept, so hand-written paths keep working.
  EXPECT_EQ(unescape_path("dir\\name"), "dir\\name");
  EXPECT_EQ(unescape_path("end\\"), "end\\");
  EXPECT_EQ(unescape_path("short\\x4"), "short\\x4");
  EXPECT_EQ(unescape_path("upper\\x4A"), "upperJ");
}

class HostileNamesTest : public testing::FsToolsFixture {
 protected:
  HostileNamesTest() { register_search_tools(registry_, provider_); }

  const std::vector<std::string> names_ = {"a\nforged.txt: 1 bytes", "bad\xFF.txt",
                                           "back\\slash.txt", "tab\tcr\r.txt", "nel\xC2\x85.txt"};

  void SetUp() override {
    for (const auto& name : names_) testing::write_file(root() / name, "needle\n");
  }

  // Every path in `paths` is read back with fs_read.
  void expect_readable(const std::vector<std::string>& paths) {
    EXPECT_EQ(paths.size(), names_.size());
    for (const auto& path : paths) {
      ToolResult read = call("fs_read", {{"path", path}});
      EXPECT_FALSE(read.is_error) << path << ": " << text_of(read);
      EXPECT_NE(text_of(read).find("needle"), std::string::npos) << path;
    }
  }

  // One line of text per entry: no name adds a line of its own.
  static void expect_lines(const std::string& text, size_t at_most) {
    size_t lines = 0;
    for (const char c : text) lines += c == '\n';
    EXPECT_LE(lines, at_most) << text;
    EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  }
};

TEST_F(HostileNamesTest, FsListNamesOneLineEachAndEveryNameIsReadable) {
  ToolResult list = call("fs_list", json::object());
  ASSERT_FALSE(list.is_error) << text_of(list);
  std::vector<std::string> paths;
  for (const auto& entry : (*list.structured)["entries"]) paths.push_back(entry["path"]);
  expect_readable(paths);
  expect_lines(text_of(list), names_.size() + 2);
  EXPECT_EQ(text_of(list).find("\nforged"), std::string::npos) << text_of(list);
}

TEST_F(HostileNamesTest, FsGlobNamesOneLineEachAndEveryNameIsReadable) {
  ToolResult glob = call("fs_glob", {{"pattern", "*"}});
  ASSERT_FALSE(glob.is_error) << text_of(glob);
  std::vector<std::string> paths;
  for (const auto& match : (*glob.structured)["matches"]) paths.push_back(match["path"]);
  expect_readable(paths);
  expect_lines(text_of(glob), names_.size() + 2);
}

TEST_F(HostileNamesTest, FsGrepNamesOneLineEachAndEveryNameIsReadable) {
  ToolResult grep = call("fs_grep", {{"pattern", "needle"}});
  ASSERT_FALSE(grep.is_error) << text_of(grep);
  std::vector<std::string> paths;
  for (const auto& match : (*grep.structured)["matches"]) paths.push_back(match["path"]);
  expect_readable(paths);
  expect_lines(text_of(grep), names_.size() + 2);
}

}  // namespace
}  // namespace benchtop
