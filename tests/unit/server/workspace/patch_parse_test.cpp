#include <gtest/gtest.h>

#include <string>

#include "server/workspace/patch/patch.h"

namespace benchtop::patch {
namespace {

Patch parsed(const std::string& text) {
  auto patch = parse_patch(text);
  EXPECT_TRUE(patch.ok()) << (patch.ok() ? "" : patch.error().message);
  return patch.ok() ? std::move(patch).value() : Patch{};
}

// The error for a patch that must not parse.
std::string error_of(const std::string& text) {
  auto patch = parse_patch(text);
  EXPECT_FALSE(patch.ok()) << text;
  return patch.ok() ? "" : patch.error().message;
}

// Expects the patch to be refused with a message that contains `expected`.
void expect_error(const std::string& text, const std::string& expected) {
  const std::string error = error_of(text);
  EXPECT_NE(error.find(expected), std::string::npos) << error;
}

// A hunk's lines as "<kind><text>" joined by '|', to compare in one go.
std::string lines_of(const Hunk& hunk) {
  std::string out;
  for (const HunkLine& line : hunk.lines) out += (out.empty() ? "" : "|") + (line.kind + line.text);
  return out;
}

TEST(PatchParseTest, GitDiffWithEveryKindOfSection) {
  const Patch patch = parsed(
      "diff --git a/src/app.py b/src/app.py\n"
      "index 83db48f..bf269f4 100644\n"
      "--- a/src/app.py\n"
      "+++ b/src/app.py\n"
      "@@ -1,3 +1,3 @@ def main():\n"
      " import os\n"
      "-print('hi')\n"
      "+print('hello')\n"
      " exit()\n"
      "@@ -10,2 +10,3 @@\n"
      " a\n"
      "+b\n"
      " c\n"
      "diff --git a/new.txt b/new.txt\n"
      "new file mode 100644\n"
      "index 0000000..3b18e51\n"
      "--- /dev/null\n"
      "+++ b/new.txt\n"
      "@@ -0,0 +1,2 @@\n"
      "+one\n"
      "+two\n"
      "diff --git a/old.txt b/old.txt\n"
      "deleted file mode 100644\n"
      "index 3b18e51..0000000\n"
      "--- a/old.txt\n"
      "+++ /dev/null\n"
      "@@ -1 +0,0 @@\n"
      "-gone\n"
      "diff --git a/from.c b/to.c\n"
      "similarity index 90%\n"
      "rename from from.c\n"
      "rename to to.c\n"
      "index 1111111..2222222 100644\n"
      "--- a/from.c\n"
      "+++ b/to.c\n"
      "@@ -1 +1 @@\n"
      "-int x;\n"
      "+int y;\n"
      "diff --git a/same.md b/moved/same.md\n"
      "similarity index 100%\n"
      "rename from same.md\n"
      "rename to moved/same.md\n");
  EXPECT_EQ(patch.format, Format::kUnifiedDiff);
  ASSERT_EQ(patch.files.size(), 5u);

  const FilePatch& update = patch.files[0];
  EXPECT_EQ(update.action, FileAction::kUpdate);
  EXPECT_EQ(update.path, "src/app.py");
  EXPECT_EQ(update.patch_line, 1u);
  ASSERT_EQ(update.hunks.size(), 2u);
  EXPECT_EQ(update.hunks[0].header, "@@ -1,3 +1,3 @@ def main():");
  EXPECT_EQ(update.hunks[0].patch_line, 5u);
  EXPECT_EQ(update.hunks[0].old_start, 1u);
  EXPECT_EQ(lines_of(update.hunks[0]), " import os|-print('hi')|+print('hello')| exit()");
  EXPECT_EQ(update.hunks[1].old_start, 10u);
  EXPECT_EQ(lines_of(update.hunks[1]), " a|+b| c");

  EXPECT_EQ(patch.files[1].action, FileAction::kAdd);
  EXPECT_EQ(patch.files[1].path, "new.txt");
  ASSERT_EQ(patch.files[1].hunks.size(), 1u);
  EXPECT_EQ(lines_of(patch.files[1].hunks[0]), "+one|+two");

  EXPECT_EQ(patch.files[2].action, FileAction::kDelete);
  EXPECT_EQ(patch.files[2].path, "old.txt");
  EXPECT_EQ(lines_of(patch.files[2].hunks[0]), "-gone");

  EXPECT_EQ(patch.files[3].action, FileAction::kUpdate);
  EXPECT_EQ(patch.files[3].path, "from.c");
  EXPECT_EQ(patch.files[3].move_to, "to.c");
  EXPECT_EQ(patch.files[3].hunks.size(), 1u);

  EXPECT_EQ(patch.files[4].path, "same.md");
  EXPECT_EQ(patch.files[4].move_to, "moved/same.md");
  EXPECT_TRUE(patch.files[4].hunks.empty());
}

TEST(PatchParseTest, PlainDiffUWithTimestampsAndNoPrefixes) {
  const Patch patch = parsed(
      "--- notes.txt\t2024-05-01 12:00:00.000000000 +0200\n"
      "+++ notes.txt\t2024-05-02 12:00:00.000000000 +0200\n"
      "@@ -2 +2,2 @@\n"
      "-b\n"
      "+B\n"
      "+C\n");
  ASSERT_EQ(patch.files.size(), 1u);
  EXPECT_EQ(patch.files[0].path, "notes.txt");
  EXPECT_EQ(patch.files[0].hunks[0].old_start, 2u);
  EXPECT_EQ(lines_of(patch.files[0].hunks[0]), "-b|+B|+C");
}

TEST(PatchParseTest, NoNewlineMarkersBelongToTheirSide) {
  const Patch patch = parsed(
      "--- a/f\n"
      "+++ b/f\n"
      "@@ -1,2 +1,2 @@\n"
      " x\n"
      "-old\n"
      "\\ No newline at end of file\n"
      "+new\n");
  const Hunk& hunk = patch.files[0].hunks[0];
  EXPECT_TRUE(hunk.old_missing_newline);
  EXPECT_FALSE(hunk.new_missing_newline);
  EXPECT_TRUE(hunk.at_end_of_file);

  const Patch both = parsed(
      "--- a/f\n"
      "+++ b/f\n"
      "@@ -1,2 +1,2 @@\n"
      "-a\n"
      "+b\n"
      " last\n"
      "\\ No newline at end of file\n");
  EXPECT_TRUE(both.files[0].hunks[0].old_missing_newline);
  EXPECT_TRUE(both.files[0].hunks[0].new_missing_newline);
}

TEST(PatchParseTest, EmptyFilesAddedAndDeletedByGit) {
  const Patch patch = parsed(
      "diff --git a/empty.txt b/empty.txt\n"
      "new file mode 100644\n"
      "index 0000000..e69de29\n"
      "diff --git a/gone b/gone\n"
      "deleted file mode 100644\n"
      "index e69de29..0000000\n");
  ASSERT_EQ(patch.files.size(), 2u);
  EXPECT_EQ(patch.files[0].action, FileAction::kAdd);
  EXPECT_EQ(patch.files[0].path, "empty.txt");
  EXPECT_TRUE(patch.files[0].hunks.empty());
  EXPECT_EQ(patch.files[1].action, FileAction::kDelete);
  EXPECT_EQ(patch.files[1].path, "gone");
}

TEST(PatchParseTest, QuotedGitNamesAndCommitMessagesBefore) {
  const Patch patch = parsed(
      "From 1234 Mon Sep 17 00:00:00 2001\n"
      "Subject: [PATCH] tabs\n"
      "\n"
      "---\n"
      " a\tb | 1 +\n"
      "\n"
      "diff --git \"a/a\\tb\" \"b/a\\tb\"\n"
      "--- \"a/a\\tb\"\n"
      "+++ \"b/a\\tb\"\n"
      "@@ -1 +1 @@\n"
      "-x\n"
      "+\\303\\251\n"
      "-- \n"
      "2.39.2\n");
  ASSERT_EQ(patch.files.size(), 1u);
  EXPECT_EQ(patch.files[0].path, "a\tb");
  // Hunk lines are content, never unquoted.
  EXPECT_EQ(lines_of(patch.files[0].hunks[0]), "-x|+\\303\\251");
}

TEST(PatchParseTest, EmptyLinesInAHunkAreContextAndCrlfIsKept) {
  const Patch patch = parsed(
      "--- a/f\r\n"
      "+++ b/f\r\n"
      "@@ -1,3 +1,3 @@\r\n"
      " a\r\n"
      "\n"
      "-b\r\n"
      "+c\r\n");
  const Hunk& hunk = patch.files[0].hunks[0];
  ASSERT_EQ(hunk.lines.size(), 4u);
  EXPECT_EQ(hunk.lines[0].text, "a\r");
  EXPECT_EQ(hunk.lines[1].kind, ' ');
  EXPECT_EQ(hunk.lines[1].text, "");
  EXPECT_EQ(hunk.lines[3].text, "c\r");
}

TEST(PatchParseTest, CountsDecideWhereAHunkEnds) {
  // A removed "-- x" followed by an added "++ y" looks like a file header, and the last line is an
  // empty context line (" "): within the counts both are hunk lines.
  const Patch patch = parsed("--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n--- x\n+++ y\n a\n \n");
  ASSERT_EQ(patch.files.size(), 1u);
  EXPECT_EQ(lines_of(patch.files[0].hunks[0]), "--- x|+++ y| a| ");
}

TEST(PatchParseTest, EnvelopeWithEveryKindOfSection) {
  const Patch patch = parsed(
      "*** Begin Patch\n"
      "*** Add File: docs/new.md\n"
      "+# Title\n"
      "+\n"
      "+text\n"
      "*** Delete File: obsolete.txt\n"
      "*** Update File: src/app.py\n"
      "*** Move to: src/main.py\n"
      "@@ class App:\n"
      "\n"
      "@@     def greet(self):\n"
      "-        print('Hi')\n"
      "+        print('Hello')\n"
      "@@\n"
      " tail\n"
      "-end\n"
      "+END\n"
      "*** End of File\n"
      "*** Update File: implicit.txt\n"
      " first\n"
      "+second\n"
      "*** End Patch\n");
  EXPECT_EQ(patch.format, Format::kEnvelope);
  ASSERT_EQ(patch.files.size(), 4u);

  EXPECT_EQ(patch.files[0].action, FileAction::kAdd);
  EXPECT_EQ(patch.files[0].path, "docs/new.md");
  EXPECT_EQ(lines_of(patch.files[0].hunks[0]), "+# Title|+|+text");

  EXPECT_EQ(patch.files[1].action, FileAction::kDelete);
  EXPECT_EQ(patch.files[1].path, "obsolete.txt");
  EXPECT_TRUE(patch.files[1].hunks.empty());

  const FilePatch& update = patch.files[2];
  EXPECT_EQ(update.path, "src/app.py");
  EXPECT_EQ(update.move_to, "src/main.py");
  ASSERT_EQ(update.hunks.size(), 2u);
  EXPECT_EQ(update.hunks[0].anchors, (std::vector<std::string>{"class App:", "def greet(self):"}));
  EXPECT_EQ(update.hunks[0].header, "@@ class App:");
  EXPECT_EQ(update.hunks[0].patch_line, 9u);  // where its first @@ line is
  EXPECT_EQ(lines_of(update.hunks[0]), "-        print('Hi')|+        print('Hello')");
  EXPECT_FALSE(update.hunks[0].at_end_of_file);
  EXPECT_TRUE(update.hunks[1].anchors.empty());
  EXPECT_TRUE(update.hunks[1].at_end_of_file);
  EXPECT_EQ(lines_of(update.hunks[1]), " tail|-end|+END");

  EXPECT_EQ(patch.files[3].hunks[0].header, "");
  EXPECT_EQ(lines_of(patch.files[3].hunks[0]), " first|+second");
}

TEST(PatchParseTest, EnvelopeDetails) {
  // An empty added file; a pure rename; blank lines inside a hunk are empty context lines, those
  // at its end only separate; a unified-style "@@ -l,n +l,n @@" gives a line number.
  const Patch patch = parsed(
      "```\n"
      "*** Begin Patch\n"
      "*** Add File: empty.txt\n"
      "*** Update File: a.txt\n"
      "*** Move to: b.txt\n"
      "*** Update File: c.txt\n"
      "@@ -7,3 +7,3 @@\n"
      " x\n"
      "\n"
      "-y\n"
      "+z\n"
      "\n"
      "\n"
      "*** End Patch\n"
      "```\n");
  ASSERT_EQ(patch.files.size(), 3u);
  EXPECT_TRUE(patch.files[0].hunks.empty());
  EXPECT_EQ(patch.files[1].move_to, "b.txt");
  EXPECT_TRUE(patch.files[1].hunks.empty());
  const Hunk& hunk = patch.files[2].hunks[0];
  EXPECT_EQ(hunk.old_start, 7u);
  EXPECT_TRUE(hunk.anchors.empty());
  EXPECT_EQ(lines_of(hunk), " x| |-y|+z");
}

TEST(PatchParseTest, MalformedUnifiedDiffsNameTheLine) {
  EXPECT_EQ(error_of("--- a/f\n+++ b/f\n@@ -1,2 +1,2\n x\n"),
            "Line 3: malformed hunk header '@@ -1,2 +1,2'; expected '@@ -start,count "
            "+start,count @@'.");
  // Too few lines for the counts, and too many: the error gives the right header.
  EXPECT_EQ(error_of("--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n@@ -9 +9 @@\n-x\n+y\n"),
            "Line 3: the hunk header '@@ -1,3 +1,3 @@' counts 3 old and 3 new lines, but the "
            "hunk has 2 old (' ' and '-') and 2 new (' ' and '+') lines: write '@@ -1,2 +1,2 "
            "@@'.");
  expect_error("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n+c\n", "write '@@ -1,1 +1,2 @@'");
  expect_error("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n", "Line 3:");
  EXPECT_EQ(error_of("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n*b\n"),
            "Line 5: '*b' is not a hunk line: each starts with ' ' (unchanged), '-' (removed) or "
            "'+' (added).");
  expect_error("@@ -1 +1 @@\n-a\n+b\n", "Line 1: a hunk before any file header");
  expect_error("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\nrandom words\n",
               "Line 6: unexpected text between file sections: 'random words'");
  expect_error("--- a/f\n+++ b/f\n", "Line 2: no hunk follows");
  expect_error("--- /dev/null\n+++ b/f\n@@ -1 +1 @@\n-b\n+a\n",
               "Line 3: a new file's hunk can only add lines");
  expect_error("diff --git a/f b/f\nindex 1..2 100644\nBinary files a/f and b/f differ\n",
               "Line 3: binary patches are not supported");
  expect_error("diff --git a/l b/l\nnew file mode 120000\n", "Line 2: symlinks");
  expect_error("diff --git a/f b/g\ncopy from f\ncopy to g\n", "Line 2: copies");
  expect_error("diff --git a/f b/f\nold mode 100644\nnew mode 100755\n",
               "Line 1: only the file mode changes");
  // A prefix with no name after it (found by fuzz_patch).
  expect_error("--- a/f\n+++ b/\n@@ -1 +1 @@\n-a\n+b\n",
               "Line 2: the '+++' line names no file after 'b/'");
  expect_error("--- a/\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n",
               "Line 1: the '---' line names no file after 'a/'");
  expect_error("diff --git a/x b/x\n--- a/x\n+++ b/\n@@ -1 +1 @@\n-a\n+b\n",
               "Line 3: the '+++' line names no file");
  expect_error("just some text\n", "No file section found");
  EXPECT_EQ(error_of(" \n\n"), "The patch is empty.");
}

TEST(PatchParseTest, MalformedEnvelopesNameTheLine) {
  expect_error("*** Begin Patch\n*** Add File: a\n+x\n",
               "Line 3: the patch must end "
               "with a '*** End Patch' line");
  expect_error("*** Begin Patch\n*** Add File: a\nx\n*** End Patch\n",
               "Line 3: each line of an added file starts with '+'");
  expect_error("*** Begin Patch\n*** Add File: a\n+x\n\n+y\n*** End Patch\n",
               "Line 4: an empty line inside an added file");
  expect_error("*** Begin Patch\n*** Update File: a\n*** End Patch\n",
               "Line 2: '*** Update File: a' has no hunks");
  expect_error("*** Begin Patch\n*** Update File: a\n@@ f()\n*** End Patch\n",
               "Line 3: the hunk has no lines");
  expect_error("*** Begin Patch\n*** Update File: a\n@@\n-x\nx\n*** End Patch\n",
               "Line 5: 'x' is not a hunk line");
  expect_error("*** Begin Patch\n*** Delete File: a\n-x\n*** End Patch\n",
               "Line 3: '*** Delete File' takes no lines");
  expect_error("*** Begin Patch\n*** Change File: a\n*** End Patch\n",
               "Line 2: expected '*** Add File: <path>'");
  expect_error("*** Begin Patch\n*** Add File:   \n*** End Patch\n",
               "Line 2: the section names no path");
  expect_error("*** Begin Patch\n*** End Patch\n", "has no '*** Add File'");
}

TEST(PatchParseTest, RefusesAPatchOverTheSizeCap) {
  std::string huge = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+";
  huge.append(kMaxPatchBytes, 'x');
  auto patch = parse_patch(huge);
  ASSERT_FALSE(patch.ok());
  EXPECT_EQ(patch.error().code, "too_large");
  std::string fits = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+";
  fits.append(kMaxPatchBytes - fits.size() - 1, 'x');
  EXPECT_TRUE(parse_patch(fits + "\n").ok());
}

}  // namespace
}  // namespace benchtop::patch
