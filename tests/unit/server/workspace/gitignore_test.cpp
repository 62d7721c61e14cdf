// Cases follow the rules and examples of gitignore(5).
#include "server/workspace/search/gitignore.h"

#include <gtest/gtest.h>

#include <memory>

#include "server/workspace/search/tree_walk.h"
#include "server/workspace/workspace.h"
#include "tests/support/search_test_support.h"

namespace benchtop {
namespace {

IgnoreMatch verdict(std::string_view rules, std::string_view path, bool is_dir = false) {
  return GitignoreFile::parse(rules, "").match(path, is_dir);
}

bool ignored(std::string_view rules, std::string_view path, bool is_dir = false) {
  IgnoreStack stack;
  stack.push(std::make_shared<GitignoreFile>(GitignoreFile::parse(rules, "")));
  return stack.is_ignored(path, is_dir);
}

TEST(Gitignore, BlankLinesAndCommentsAreNotPatterns) {
  auto file = GitignoreFile::parse("\n# a comment\n   \n#*.o\n", "");
  EXPECT_TRUE(file.empty());
  EXPECT_EQ(verdict("\\#notes\n", "#notes"), IgnoreMatch::kIgnore);
}

TEST(Gitignore, TrailingSpacesAreDroppedUnlessEscaped) {
  EXPECT_EQ(verdict("foo   \n", "foo"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("foo\\ \n", "foo "), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("foo\\ \n", "foo"), IgnoreMatch::kNone);
}

TEST(Gitignore, CarriageReturnsOfCrlfFilesAreIgnored) {
  EXPECT_EQ(verdict("*.o\r\nbuild/\r\n", "x.o"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("*.o\r\nbuild/\r\n", "build", true), IgnoreMatch::kIgnore);
}

TEST(Gitignore, NegationReincludesAndLastMatchWins) {
  const char* rules = "*.log\n!important.log\n";
  EXPECT_EQ(verdict(rules, "debug.log"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict(rules, "important.log"), IgnoreMatch::kWhitelist);
  EXPECT_EQ(verdict("!important.log\n*.log\n", "important.log"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("\\!bang\n", "!bang"), IgnoreMatch::kIgnore);
}

TEST(Gitignore, TrailingSlashMatchesDirectoriesOnly) {
  EXPECT_EQ(verdict("build/\n", "build", true), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("build/\n", "build", false), IgnoreMatch::kNone);
  EXPECT_EQ(verdict("build/\n", "src/build", true), IgnoreMatch::kIgnore);  // no other slash
}

TEST(Gitignore, SlashAtStartOrMiddleAnchorsToTheFilesDirectory) {
  EXPECT_EQ(verdict("/TODO\n", "TODO"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("/TODO\n", "src/TODO"), IgnoreMatch::kNone);
  EXPECT_EQ(verdict("doc/frotz/\n", "doc/frotz", true), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("doc/frotz/\n", "a/doc/frotz", true), IgnoreMatch::kNone);
  EXPECT_EQ(verdict("frotz/\n", "a/frotz", true), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("TODO\n", "deep/er/TODO"), IgnoreMatch::kIgnore);
}

TEST(Gitignore, StarDoesNotCrossSlashes) {
  EXPECT_EQ(verdict("foo/*\n", "foo/test.json"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("foo/*\n", "foo/bar", true), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("foo/*\n", "foo/bar/hello.c"), IgnoreMatch::kNone);
  EXPECT_EQ(verdict("*.o\n", "a/b/c.o"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("file?.txt\n", "file1.txt"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("[ab].txt\n", "b.txt"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("[ab].txt\n", "c.txt"), IgnoreMatch::kNone);
}

TEST(Gitignore, DoubleAsterisks) {
  EXPECT_EQ(verdict("**/foo\n", "foo"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("**/foo\n", "x/y/foo"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("**/foo/bar\n", "a/foo/bar"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("**/foo/bar\n", "foo/bar"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("abc/**\n", "abc/x"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("abc/**\n", "abc/x/y/z"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("abc/**\n", "abc", true), IgnoreMatch::kNone);
  EXPECT_EQ(verdict("a/**/b\n", "a/b"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("a/**/b\n", "a/x/b"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("a/**/b\n", "a/x/y/b"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("a/**/b\n", "x/a/b"), IgnoreMatch::kNone);
}

TEST(Gitignore, BracesAreOrdinaryCharacters) {
  EXPECT_EQ(verdict("{a,b}\n", "{a,b}"), IgnoreMatch::kIgnore);
  EXPECT_EQ(verdict("{a,b}\n", "a"), IgnoreMatch::kNone);
}

TEST(Gitignore, CannotReincludeAFileInsideAnExcludedDirectory) {
  const char* rules = "build/\n!build/keep.txt\n";
  EXPECT_TRUE(ignored(rules, "build/keep.txt"));
  // Excluding the contents (not the directory) leaves the directory open to re-inclusion.
  EXPECT_FALSE(ignored("build/*\n!build/keep.txt\n", "build/keep.txt"));
  EXPECT_TRUE(ignored("build/*\n!build/keep.txt\n", "build/other.txt"));
}

TEST(Gitignore, DeeperFilesTakePrecedenceAndExcludeComesLast) {
  IgnoreStack stack;
  stack.set_exclude(std::make_shared<GitignoreFile>(GitignoreFile::parse("*.tmp\nsecret\n", "")));
  stack.push(std::make_shared<GitignoreFile>(GitignoreFile::parse("*.txt\n!x.tmp\n", "")));
  stack.push(std::make_shared<GitignoreFile>(GitignoreFile::parse("!keep.txt\n/local\n", "sub")));
  EXPECT_TRUE(stack.is_ignored("a.txt", false));
  EXPECT_TRUE(stack.is_ignored("keep.txt", false));       // the sub/ rule does not reach up
  EXPECT_FALSE(stack.is_ignored("sub/keep.txt", false));  // deeper file wins
  EXPECT_TRUE(stack.is_ignored("sub/other.txt", false));
  EXPECT_TRUE(stack.is_ignored("sub/local", false));  // anchored to sub/
  EXPECT_FALSE(stack.is_ignored("sub/deeper/local", false));
  EXPECT_TRUE(stack.is_ignored("y.tmp", false));   // from info/exclude
  EXPECT_FALSE(stack.is_ignored("x.tmp", false));  // .gitignore beats info/exclude
  EXPECT_TRUE(stack.is_ignored("sub/secret", false));
}

// The same rules, applied by the walker to files on disk.
TEST(Gitignore, WalkerAppliesNestedFilesAndInfoExclude) {
  testing::TempTree tree;
  tree.write(".gitignore", "*.log\nbuild/\n");
  tree.write(".git/info/exclude", "*.tmp\n");
  tree.write(".git/config", "");
  tree.write("a.log", "");
  tree.write("a.txt", "");
  tree.write("a.tmp", "");
  tree.write("build/out.txt", "");
  tree.write("src/.gitignore", "!keep.log\ngen/\n");
  tree.write("src/keep.log", "");
  tree.write("src/drop.log", "");
  tree.write("src/gen/x.c", "");
  tree.write("src/main.c", "");
  auto workspace = Workspace::open(tree.root());
  ASSERT_TRUE(workspace.ok());

  std::vector<std::string> seen;
  auto walked = walk_tree(**workspace, "", {}, [&](const WalkEntry& entry) {
    seen.emplace_back(entry.path);
    return WalkAction::kContinue;
  });
  ASSERT_TRUE(walked.ok()) << walked.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"a.txt", "src", "src/keep.log", "src/main.c"}));

  // Starting below the root, the root's rules still apply.
  seen.clear();
  ASSERT_TRUE(walk_tree(**workspace, "src", {}, [&](const WalkEntry& entry) {
                seen.emplace_back(entry.path);
                return WalkAction::kContinue;
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"src/keep.log", "src/main.c"}));
}

}  // namespace
}  // namespace benchtop
