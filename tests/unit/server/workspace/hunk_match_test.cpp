#include "server/workspace/patch/hunk_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/workspace/patch/patch.h"

namespace benchtop::patch {
namespace {

// The hunks of a patch's only file section.
std::vector<Hunk> hunks_of(const std::string& text) {
  auto patch = parse_patch(text);
  EXPECT_TRUE(patch.ok()) << (patch.ok() ? "" : patch.error().message);
  if (!patch.ok() || patch->files.size() != 1) return {};
  return patch->files[0].hunks;
}

std::vector<Hunk> update(const std::string& body) {
  return hunks_of("*** Begin Patch\n*** Update File: f\n" + body + "*** End Patch\n");
}

std::string numbered(int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i) text += "l" + std::to_string(i) + "\n";
  return text;
}

// The new text, failing the test when a hunk does not apply.
std::string applied(const std::string& original, const std::vector<Hunk>& hunks) {
  const FileEdit edit = apply_hunks(original, hunks);
  for (size_t i = 0; i < edit.hunks.size(); ++i) {
    EXPECT_TRUE(edit.hunks[i].applied) << "hunk " << i + 1 << ": " << edit.hunks[i].message;
  }
  return edit.text.value_or("<not applied>");
}

TEST(HunkMatchTest, HunksAtTheStartTheEndAndBetween) {
  const auto hunks = hunks_of(
      "--- a/f\n+++ b/f\n"
      "@@ -1,2 +1,2 @@\n-l1\n+first\n l2\n"
      "@@ -5,3 +5,4 @@\n l5\n+inserted\n l6\n l7\n"
      "@@ -9,2 +10,1 @@\n l9\n-l10\n");
  const FileEdit edit = apply_hunks(numbered(1, 10), hunks);
  ASSERT_TRUE(edit.text);
  EXPECT_EQ(*edit.text, "first\nl2\nl3\nl4\nl5\ninserted\nl6\nl7\nl8\nl9\n");
  ASSERT_EQ(edit.hunks.size(), 3u);
  EXPECT_EQ(edit.hunks[0].line, 1u);
  EXPECT_EQ(edit.hunks[1].line, 5u);
  EXPECT_EQ(edit.hunks[2].line, 9u);
  EXPECT_EQ(edit.lines_added, 2u);
  EXPECT_EQ(edit.lines_removed, 2u);
}

TEST(HunkMatchTest, LineNumbersAreHintsThatFollowEarlierDrift) {
  // The file gained three lines at the top since the diff was made: every hunk is 3 lines late.
  const auto hunks = hunks_of(
      "--- a/f\n+++ b/f\n"
      "@@ -2,1 +2,1 @@\n-l2\n+two\n"
      "@@ -7,1 +7,1 @@\n-x\n+seven\n");
  const std::string original = "new1\nnew2\nnew3\nl1\nl2\nx\nl4\nl5\nl6\nx\nl8\n";
  const FileEdit edit = apply_hunks(original, hunks);
  ASSERT_TRUE(edit.text) << edit.hunks[1].message;
  // "x" occurs twice; line 7 moved by the first hunk's drift of 3 is line 10.
  EXPECT_EQ(*edit.text, "new1\nnew2\nnew3\nl1\ntwo\nx\nl4\nl5\nl6\nseven\nl8\n");
  EXPECT_EQ(edit.hunks[1].line, 10u);
}

TEST(HunkMatchTest, AmbiguousBlocksAreRefusedNotGuessed) {
  const std::string original = "a\nreturn 0;\nb\nreturn 0;\nc\n";
  // Nothing says which: the envelope without an anchor, a diff whose line fits neither.
  for (const auto& hunks : {update("@@\n-return 0;\n+return 1;\n"),
                            hunks_of("--- a/f\n+++ b/f\n@@ -3 +3 @@\n-return 0;\n+return 1;\n")}) {
    const FileEdit edit = apply_hunks(original, hunks);
    EXPECT_FALSE(edit.text);
    ASSERT_EQ(edit.hunks.size(), 1u);
    EXPECT_EQ(edit.hunks[0].reason, Failure::kAmbiguous);
    EXPECT_NE(edit.hunks[0].message.find("(lines 2, 4)"), std::string::npos)
        << edit.hunks[0].message;
  }
  // A line number at one of them, or an anchor before one, settles it.
  EXPECT_EQ(applied(original, hunks_of("--- a/f\n+++ b/f\n@@ -4 +4 @@\n-return 0;\n+return 1;\n")),
            "a\nreturn 0;\nb\nreturn 1;\nc\n");
  EXPECT_EQ(applied(original, update("@@ b\n-return 0;\n+return 1;\n")),
            "a\nreturn 0;\nb\nreturn 1;\nc\n");
  // So does more context.
  EXPECT_EQ(applied(original, update("@@\n a\n-return 0;\n+return 1;\n")),
            "a\nreturn 1;\nb\nreturn 0;\nc\n");
}

TEST(HunkMatchTest, ContextMustMatchExactly) {
  const std::string original = "def f():\n    x = 1\n    return x\n";
  const FileEdit indented = apply_hunks(original, update("@@\n def f():\n-  x = 1\n+  x = 2\n"));
  EXPECT_FALSE(indented.text);
  EXPECT_EQ(indented.hunks[0].reason, Failure::kContextNotFound);
  EXPECT_NE(indented.hunks[0].message.find("Lines 1-2 differ from them only in whitespace"),
            std::string::npos)
      << indented.hunks[0].message;

  const FileEdit differs = apply_hunks(original, update("@@\n def f():\n-    x = 3\n+    x = 2\n"));
  EXPECT_FALSE(differs.text);
  EXPECT_NE(
      differs.hunks[0].message.find("The file matches its first 1 old line at line 1, but line "
                                    "2 is '    x = 1' where the hunk has '    x = 3'"),
      std::string::npos)
      << differs.hunks[0].message;

  const FileEdit absent = apply_hunks(original, update("@@\n-nothing\n+x\n"));
  EXPECT_NE(absent.hunks[0].message.find("Its first old line 'nothing' is not in the file"),
            std::string::npos)
      << absent.hunks[0].message;

  const FileEdit anchor = apply_hunks(original, update("@@ def g():\n-    x = 1\n+    x = 2\n"));
  EXPECT_NE(anchor.hunks[0].message.find("its @@ line 'def g():' matches no line"),
            std::string::npos);
}

TEST(HunkMatchTest, EveryHunkIsReportedAndOrderMatters) {
  const std::string original = numbered(1, 6);
  const FileEdit edit = apply_hunks(
      original, update("@@\n-l4\n+four\n@@\n-l2\n+two\n@@\n-l9\n+nine\n@@\n-l6\n+six\n"));
  EXPECT_FALSE(edit.text);
  ASSERT_EQ(edit.hunks.size(), 4u);
  EXPECT_TRUE(edit.hunks[0].applied);
  EXPECT_FALSE(edit.hunks[1].applied);  // l2 comes before l4: out of order
  EXPECT_NE(edit.hunks[1].message.find("before the previous hunk"), std::string::npos)
      << edit.hunks[1].message;
  EXPECT_FALSE(edit.hunks[2].applied);
  EXPECT_TRUE(edit.hunks[3].applied);
}

TEST(HunkMatchTest, KeepsAMissingFinalNewlineUnlessTheDiffSaysOtherwise) {
  EXPECT_EQ(applied("a\nb", update("@@\n-a\n+A\n")), "A\nb");
  EXPECT_EQ(applied("a\nb", update("@@\n-b\n+B\n+C\n")), "a\nB\nC");
  EXPECT_EQ(applied("a\nb\n", update("@@\n-b\n+B\n")), "a\nB\n");
  // git's markers: add the final newline, remove it.
  EXPECT_EQ(applied("a\nb", hunks_of("--- a/f\n+++ b/f\n@@ -2 +2 @@\n-b\n"
                                     "\\ No newline at end of file\n+b\n")),
            "a\nb\n");
  EXPECT_EQ(applied("a\nb\n", hunks_of("--- a/f\n+++ b/f\n@@ -2 +2 @@\n-b\n+b\n"
                                       "\\ No newline at end of file\n")),
            "a\nb");
}

TEST(HunkMatchTest, CrlfFilesKeepTheirLineEnds) {
  const std::string original = "one\r\ntwo\r\nthree\r\n";
  EXPECT_EQ(applied(original, update("@@\n one\n-two\n+2\n+2.5\n")),
            "one\r\n2\r\n2.5\r\nthree\r\n");
  // A diff of a CRLF file carries the '\r' itself.
  EXPECT_EQ(applied(original, hunks_of("--- a/f\n+++ b/f\n@@ -3 +3 @@\n-three\r\n+3\r\n")),
            "one\r\ntwo\r\n3\r\n");
  // Mixed files: context lines keep their own ends.
  EXPECT_EQ(applied("a\r\nb\nc\r\n", update("@@\n b\n+x\n")), "a\r\nb\nx\r\nc\r\n");
}

TEST(HunkMatchTest, EndOfFileAndPureAdditions) {
  const std::string original = "x\ny\nx\n";
  EXPECT_EQ(applied(original, update("@@\n-x\n+z\n*** End of File\n")), "x\ny\nz\n");
  const FileEdit not_last = apply_hunks(original, update("@@\n-y\n+z\n*** End of File\n"));
  EXPECT_FALSE(not_last.text);
  EXPECT_NE(not_last.hunks[0].message.find("they occur at line 2 instead"), std::string::npos)
      << not_last.hunks[0].message;
  // Without old lines: at the end, after the anchor, or after the diff's line.
  EXPECT_EQ(applied(original, update("@@\n+end\n")), "x\ny\nx\nend\n");
  EXPECT_EQ(applied(original, update("@@ y\n+after y\n")), "x\ny\nafter y\nx\n");
  EXPECT_EQ(applied(original, hunks_of("--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+top\n")),
            "top\nx\ny\nx\n");
  EXPECT_EQ(applied(original, hunks_of("--- a/f\n+++ b/f\n@@ -1,0 +2 @@\n+second\n")),
            "x\nsecond\ny\nx\n");
  const FileEdit past = apply_hunks(original, hunks_of("--- a/f\n+++ b/f\n@@ -9,0 +10 @@\n+z\n"));
  EXPECT_FALSE(past.text);
  EXPECT_NE(past.hunks[0].message.find("the file has 3 lines"), std::string::npos);
  // A new file.
  EXPECT_EQ(applied("", hunks_of("*** Begin Patch\n*** Add File: f\n+a\n+\n+b\n*** End Patch\n")),
            "a\n\nb\n");
  EXPECT_EQ(applied("", {}), "");
}

}  // namespace
}  // namespace benchtop::patch
