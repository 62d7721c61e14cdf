#include "server/workspace/search/glob_pattern.h"

#include <gtest/gtest.h>

namespace benchtop {
namespace {

bool glob_matches(std::string_view pattern, std::string_view path) {
  auto glob = GlobPattern::compile(pattern);
  EXPECT_TRUE(glob.ok()) << pattern;
  return glob.ok() && glob->matches(path);
}

TEST(GlobPattern, LiteralAndStarStayWithinAComponent) {
  EXPECT_TRUE(glob_matches("main.cpp", "main.cpp"));
  EXPECT_FALSE(glob_matches("main.cpp", "src/main.cpp"));
  EXPECT_TRUE(glob_matches("*.cpp", "main.cpp"));
  EXPECT_TRUE(glob_matches("*.cpp", ".cpp"));
  EXPECT_FALSE(glob_matches("*.cpp", "src/main.cpp"));
  EXPECT_FALSE(glob_matches("*.cpp", "main.cpp.bak"));
  EXPECT_TRUE(glob_matches("src/*", "src/a.h"));
  EXPECT_FALSE(glob_matches("src/*", "src/a/b.h"));
  EXPECT_TRUE(glob_matches("test_*", "test_x"));
  EXPECT_TRUE(glob_matches("a*b*c", "axxbyyc"));
  EXPECT_TRUE(glob_matches("a*b*c", "abcbc"));
  EXPECT_FALSE(glob_matches("a*b*c", "abcbd"));
  EXPECT_TRUE(glob_matches("a**b", "axb"));  // not a whole component: like '*'
  EXPECT_FALSE(glob_matches("a**b", "a/b"));
}

TEST(GlobPattern, QuestionMarkIsOneCharacter) {
  EXPECT_TRUE(glob_matches("?.txt", "a.txt"));
  EXPECT_FALSE(glob_matches("?.txt", "ab.txt"));
  EXPECT_TRUE(glob_matches("?.txt", "\xC3\xA9.txt"));  // one UTF-8 character, two bytes
  EXPECT_FALSE(glob_matches("a?b", "a/b"));
}

TEST(GlobPattern, CharacterClasses) {
  EXPECT_TRUE(glob_matches("file[0-9].txt", "file7.txt"));
  EXPECT_FALSE(glob_matches("file[0-9].txt", "filex.txt"));
  EXPECT_TRUE(glob_matches("[!a]*", "bcd"));
  EXPECT_FALSE(glob_matches("[!a]*", "abc"));
  EXPECT_TRUE(glob_matches("[^a]*", "bcd"));
  EXPECT_TRUE(glob_matches("[]]", "]"));
  EXPECT_TRUE(glob_matches("[a-]", "-"));
  EXPECT_TRUE(glob_matches("x[[:digit:]]", "x5"));
  EXPECT_FALSE(glob_matches("x[[:digit:]]", "xa"));
  EXPECT_TRUE(glob_matches("[[:upper:]]*", "README"));
  EXPECT_TRUE(glob_matches("[abc", "[abc"));  // unterminated: literal '['
}

TEST(GlobPattern, GlobStarSpansDirectories) {
  EXPECT_TRUE(glob_matches("**/*.h", "a.h"));  // zero directories
  EXPECT_TRUE(glob_matches("**/*.h", "x/y/a.h"));
  EXPECT_TRUE(glob_matches("src/**/*.h", "src/a.h"));
  EXPECT_TRUE(glob_matches("src/**/*.h", "src/x/y/a.h"));
  EXPECT_FALSE(glob_matches("src/**/*.h", "lib/x/a.h"));
  EXPECT_TRUE(glob_matches("a/**/b", "a/b"));
  EXPECT_TRUE(glob_matches("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(glob_matches("a/**/b", "a/x/y/c"));
  EXPECT_TRUE(glob_matches("a/**", "a/x"));
  EXPECT_TRUE(glob_matches("a/**", "a/x/y"));
  EXPECT_FALSE(glob_matches("a/**", "a"));  // a trailing '**' needs at least one component
  EXPECT_TRUE(glob_matches("**", "anything/at/all"));
  EXPECT_TRUE(glob_matches("**/**/x", "x"));
}

TEST(GlobPattern, BraceAlternatives) {
  EXPECT_TRUE(glob_matches("*.{h,cpp}", "a.h"));
  EXPECT_TRUE(glob_matches("*.{h,cpp}", "a.cpp"));
  EXPECT_FALSE(glob_matches("*.{h,cpp}", "a.c"));
  EXPECT_TRUE(glob_matches("{src,include}/**/*.h", "include/x/a.h"));
  EXPECT_TRUE(glob_matches("a{b,c{d,e}}f", "acef"));
  EXPECT_TRUE(glob_matches("{a/b,c}/x", "a/b/x"));
  EXPECT_TRUE(glob_matches("x{,.bak}", "x"));
  EXPECT_TRUE(glob_matches("{abc", "{abc"));  // unmatched: literal
  auto no_braces = GlobPattern::compile("{a,b}", {.braces = false});
  ASSERT_TRUE(no_braces.ok());
  EXPECT_TRUE(no_braces->matches("{a,b}"));
  EXPECT_FALSE(no_braces->matches("a"));
}

TEST(GlobPattern, EscapesMakeCharactersLiteral) {
  EXPECT_TRUE(glob_matches("\\*.txt", "*.txt"));
  EXPECT_FALSE(glob_matches("\\*.txt", "a.txt"));
  EXPECT_TRUE(glob_matches("\\{a,b\\}", "{a,b}"));
  EXPECT_TRUE(glob_matches("a\\?", "a?"));
  EXPECT_FALSE(glob_matches("a\\?", "ab"));
  EXPECT_TRUE(glob_matches("[\\]]", "]"));
}

TEST(GlobPattern, ExplodingBracesAreRejected) {
  const std::string group = "{a,b,c,d}";
  std::string pattern;
  for (int i = 0; i < 6; ++i) pattern += group;  // 4^6 = 4096 alternatives
  auto glob = GlobPattern::compile(pattern);
  ASSERT_FALSE(glob.ok());
  EXPECT_EQ(glob.error().code, "invalid_pattern");
}

TEST(GlobPattern, CouldMatchBeneathPrunesDirectories) {
  auto glob = GlobPattern::compile("src/lib/**/*.h");
  ASSERT_TRUE(glob.ok());
  EXPECT_TRUE(glob->could_match_beneath("src"));
  EXPECT_TRUE(glob->could_match_beneath("src/lib"));
  EXPECT_TRUE(glob->could_match_beneath("src/lib/x/y"));
  EXPECT_FALSE(glob->could_match_beneath("docs"));
  EXPECT_FALSE(glob->could_match_beneath("src/other"));

  auto flat = GlobPattern::compile("src/*.h");
  ASSERT_TRUE(flat.ok());
  EXPECT_TRUE(flat->could_match_beneath("src"));
  EXPECT_FALSE(flat->could_match_beneath("src/deeper"));  // '*' cannot reach two levels down

  auto alternatives = GlobPattern::compile("{docs,src}/*.md");
  ASSERT_TRUE(alternatives.ok());
  EXPECT_TRUE(alternatives->could_match_beneath("docs"));
  EXPECT_FALSE(alternatives->could_match_beneath("test"));
}

}  // namespace
}  // namespace benchtop
