#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "tests/support/fs_tools_test_support.h"
#include "tests/support/special_file_support.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using testing::exists_no_follow;
using testing::permission_bits;
using testing::read_file;
using testing::write_file;

// Every file below `dir` with its content ("<dir>/" for a directory, "-> target" for a link), to
// prove that a refused patch changed nothing at all.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = fs::relative(entry.path(), dir).string();
    if (entry.is_symlink()) {
      files[name] = "-> " + fs::read_symlink(entry.path()).string();
    } else if (entry.is_directory()) {
      files[name + "/"] = "";
    } else if (entry.is_regular_file()) {
      files[name] = read_file(entry.path());
    } else {
      files[name] = "(special)";
    }
  }
  return files;
}

class FsApplyPatchTest : public testing::FsToolsFixture {
 protected:
  ToolResult apply(const std::string& patch, bool dry_run = false) {
    return call("fs_apply_patch", {{"patch", patch}, {"dry_run", dry_run}});
  }

  // A patch that must be refused: it changes no file, inside or outside the workspace.
  ToolResult refused(const std::string& patch) {
    const auto inside = snapshot(root());
    const auto beside = snapshot(outside());
    ToolResult result = apply(patch);
    EXPECT_TRUE(result.is_error) << text_of(result);
    EXPECT_EQ(snapshot(root()), inside);
    EXPECT_EQ(snapshot(outside()), beside);
    return result;
  }

  static const nlohmann::json& failures_of(const ToolResult& result) {
    static const nlohmann::json none = nlohmann::json::array();
    if (!result.structured || !result.structured->contains("failures")) return none;
    return (*result.structured)["failures"];
  }
};

TEST_F(FsApplyPatchTest, AppliesAGitDiffAcrossSeveralFiles) {
  write_file(root() / "src/app.py", "import os\n\ndef main():\n    print('hi')\n    return 0\n");
  write_file(root() / "README.md", "# app\n\nold line\nkeep\n");
  write_file(root() / "obsolete.txt", "bye\n");
  write_file(root() / "lib/util.c", "int one(void) { return 1; }\n");
  write_file(root() / "docs/guide.md", "guide\n");
  auto result = apply(
      "diff --git a/src/app.py b/src/app.py\n"
      "--- a/src/app.py\n"
      "+++ b/src/app.py\n"
      "@@ -1,2 +1,3 @@\n"
      " import os\n"
      "+import sys\n"
      " \n"
      "@@ -4,2 +5,2 @@ def main():\n"
      "-    print('hi')\n"
      "+    print('hello')\n"
      "     return 0\n"
      "diff --git a/README.md b/README.md\n"
      "--- a/README.md\n"
      "+++ b/README.md\n"
      "@@ -3,1 +3,1 @@\n"
      "-old line\n"
      "+new line\n"
      "diff --git a/tests/test_app.py b/tests/test_app.py\n"
      "new file mode 100644\n"
      "--- /dev/null\n"
      "+++ b/tests/test_app.py\n"
      "@@ -0,0 +1,2 @@\n"
      "+def test_main():\n"
      "+    assert True\n"
      "diff --git a/obsolete.txt b/obsolete.txt\n"
      "deleted file mode 100644\n"
      "--- a/obsolete.txt\n"
      "+++ /dev/null\n"
      "@@ -1 +0,0 @@\n"
      "-bye\n"
      "diff --git a/lib/util.c b/src/util.c\n"
      "similarity index 80%\n"
      "rename from lib/util.c\n"
      "rename to src/util.c\n"
      "--- a/lib/util.c\n"
      "+++ b/src/util.c\n"
      "@@ -1 +1 @@\n"
      "-int one(void) { return 1; }\n"
      "+int one(void) { return 2 - 1; }\n"
      "diff --git a/docs/guide.md b/guide.md\n"
      "similarity index 100%\n"
      "rename from docs/guide.md\n"
      "rename to guide.md\n");
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "src/app.py"),
            "import os\nimport sys\n\ndef main():\n    print('hello')\n    return 0\n");
  EXPECT_EQ(read_file(root() / "README.md"), "# app\n\nnew line\nkeep\n");
  EXPECT_EQ(read_file(root() / "tests/test_app.py"), "def test_main():\n    assert True\n");
  EXPECT_FALSE(exists_no_follow(root() / "obsolete.txt"));
  EXPECT_FALSE(exists_no_follow(root() / "lib/util.c"));
  EXPECT_EQ(read_file(root() / "src/util.c"), "int one(void) { return 2 - 1; }\n");
  EXPECT_FALSE(exists_no_follow(root() / "docs/guide.md"));
  EXPECT_EQ(read_file(root() / "guide.md"), "guide\n");

  const auto& structured = *result.structured;
  EXPECT_EQ(structured["applied"], true);
  EXPECT_EQ(structured["dry_run"], false);
  EXPECT_FALSE(structured.contains("failures"));
  ASSERT_EQ(structured["files"].size(), 6u);
  EXPECT_EQ(structured["files"][0], nlohmann::json({{"path", "src/app.py"},
                                                    {"action", "updated"},
                                                    {"hunks", 2},
                                                    {"lines_added", 2},
                                                    {"lines_removed", 1}}));
  EXPECT_EQ(structured["files"][2]["action"], "added");
  EXPECT_EQ(structured["files"][3]["action"], "deleted");
  EXPECT_EQ(structured["files"][4]["action"], "moved");
  EXPECT_EQ(structured["files"][4]["from"], "lib/util.c");
  EXPECT_EQ(structured["files"][5]["path"], "guide.md");
  EXPECT_EQ(structured["files"][5]["hunks"], 0);

  // The text is a summary: the model already has the patch.
  const std::string text = text_of(result);
  EXPECT_NE(text.find("Applied the patch to 6 file(s)"), std::string::npos) << text;
  EXPECT_NE(text.find("moved lib/util.c -> src/util.c: +1 -1"), std::string::npos) << text;
  EXPECT_EQ(text.find("@@"), std::string::npos) << text;

  const nlohmann::json changes = std::move(result).to_json()["_meta"][kFileChangesMeta];
  EXPECT_EQ(changes, nlohmann::json::parse(R"([
              {"path": "src/app.py", "action": "modified"},
              {"path": "README.md", "action": "modified"},
              {"path": "tests/test_app.py", "action": "created"},
              {"path": "obsolete.txt", "action": "deleted"},
              {"path": "src/util.c", "action": "moved", "from": "lib/util.c"},
              {"path": "guide.md", "action": "moved", "from": "docs/guide.md"}])"));
}

TEST_F(FsApplyPatchTest, AppliesAnEnvelopePatch) {
  write_file(root() / "src/shapes.py",
             "class Square:\n    def area(self):\n        return 0\n\n"
             "class Circle:\n    def area(self):\n        return 0\n");
  write_file(root() / "old/name.txt", "same\n");
  auto result = apply(
      "*** Begin Patch\n"
      "*** Update File: src/shapes.py\n"
      "@@ class Circle:\n"
      "     def area(self):\n"
      "-        return 0\n"
      "+        return 3.14 * self.r ** 2\n"
      "*** Update File: old/name.txt\n"
      "*** Move to: new/dir/name.txt\n"
      "*** Add File: empty.txt\n"
      "*** End Patch\n");
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "src/shapes.py"),
            "class Square:\n    def area(self):\n        return 0\n\n"
            "class Circle:\n    def area(self):\n        return 3.14 * self.r ** 2\n");
  EXPECT_EQ(read_file(root() / "new/dir/name.txt"), "same\n");
  EXPECT_FALSE(exists_no_follow(root() / "old/name.txt"));
  EXPECT_EQ(read_file(root() / "empty.txt"), "");
}

TEST_F(FsApplyPatchTest, DryRunWritesNothingAndShowsTheDiff) {
  write_file(root() / "a.txt", "one\ntwo\n");
  write_file(root() / "b.txt", "bee\n");
  const auto before = snapshot(root());
  auto result = apply(
      "*** Begin Patch\n"
      "*** Update File: a.txt\n@@\n-two\n+2\n"
      "*** Add File: new/c.txt\n+sea\n"
      "*** Delete File: b.txt\n"
      "*** End Patch\n",
      /*dry_run=*/true);
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(snapshot(root()), before);
  EXPECT_TRUE(result.file_changes.empty());
  EXPECT_EQ((*result.structured)["applied"], false);
  EXPECT_EQ((*result.structured)["dry_run"], true);
  EXPECT_EQ((*result.structured)["files"].size(), 3u);
  const std::string text = text_of(result);
  EXPECT_NE(text.find("Dry run, nothing written"), std::string::npos) << text;
  EXPECT_NE(text.find("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("--- /dev/null\n+++ b/new/c.txt\n@@ -0,0 +1 @@\n+sea\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("--- a/b.txt\n+++ /dev/null\n"), std::string::npos) << text;
}

TEST_F(FsApplyPatchTest, OneFailingHunkAmongSeveralFilesWritesNothing) {
  write_file(root() / "a.txt", "a1\na2\na3\n");
  write_file(root() / "b.txt", "b1\nb2\nb3\nb4\nb5\nb6\nb7\nb8\n");
  write_file(root() / "c.txt", "c1\n");
  auto result = refused(
      "--- a/a.txt\n+++ b/a.txt\n@@ -2 +2 @@\n-a2\n+A2\n"
      "--- a/b.txt\n+++ b/b.txt\n"
      "@@ -1,2 +1,2 @@\n-b1\n+B1\n b2\n"
      "@@ -6,2 +6,2 @@\n b6\n-b7 changed\n+B7\n"
      "--- /dev/null\n+++ b/d.txt\n@@ -0,0 +1 @@\n+d\n"
      "--- a/c.txt\n+++ b/c.txt\n@@ -1 +1 @@\n-c1\n+C1\n");
  EXPECT_FALSE(exists_no_follow(root() / "d.txt"));
  const auto& failures = failures_of(result);
  ASSERT_EQ(failures.size(), 1u) << failures.dump();
  EXPECT_EQ(failures[0]["path"], "b.txt");
  EXPECT_EQ(failures[0]["hunk"], 2);
  EXPECT_EQ(failures[0]["header"], "@@ -6,2 +6,2 @@");
  EXPECT_EQ(failures[0]["patch_line"], 12);
  EXPECT_EQ(failures[0]["reason"], "context_not_found");
  EXPECT_NE(failures[0]["message"].get<std::string>().find("line 7 is 'b7' where the hunk has "
                                                           "'b7 changed'"),
            std::string::npos)
      << failures[0]["message"];
  EXPECT_EQ((*result.structured)["applied"], false);
  EXPECT_TRUE((*result.structured)["files"].empty());
  const std::string text = text_of(result);
  EXPECT_NE(text.find("nothing was written"), std::string::npos) << text;
  EXPECT_NE(text.find("- b.txt hunk 2 (patch line 12, @@ -6,2 +6,2 @@): "), std::string::npos)
      << text;
}

TEST_F(FsApplyPatchTest, AmbiguousContextIsRefused) {
  write_file(root() / "x.c", "int a;\nreturn 0;\nint b;\nreturn 0;\n");
  auto result =
      refused("*** Begin Patch\n*** Update File: x.c\n@@\n-return 0;\n+return 1;\n*** End Patch\n");
  const auto& failures = failures_of(result);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0]["reason"], "ambiguous");
  EXPECT_NE(failures[0]["message"].get<std::string>().find("(lines 2, 4)"), std::string::npos);
}

TEST_F(FsApplyPatchTest, AddOfAnExistingFileAndDeleteOfAMissingOneAreRefused) {
  write_file(root() / "here.txt", "precious\n");
  auto result = refused(
      "*** Begin Patch\n"
      "*** Add File: here.txt\n+replaced\n"
      "*** Delete File: nowhere.txt\n"
      "*** Update File: absent.txt\n@@\n-x\n+y\n"
      "*** End Patch\n");
  const auto& failures = failures_of(result);
  ASSERT_EQ(failures.size(), 3u) << failures.dump();
  EXPECT_EQ(failures[0]["path"], "here.txt");
  EXPECT_EQ(failures[0]["reason"], "file_exists");
  EXPECT_FALSE(failures[0].contains("hunk"));
  EXPECT_EQ(failures[1]["path"], "nowhere.txt");
  EXPECT_EQ(failures[1]["reason"], "file_missing");
  EXPECT_EQ(failures[2]["reason"], "file_missing");
  // A git diff adding a file that exists, and a move onto one.
  write_file(root() / "other.txt", "other\n");
  EXPECT_EQ(failures_of(refused("--- /dev/null\n+++ b/here.txt\n@@ -0,0 +1 @@\n+x\n"))[0]["reason"],
            "file_exists");
  EXPECT_EQ(failures_of(refused("*** Begin Patch\n*** Update File: other.txt\n"
                                "*** Move to: here.txt\n*** End Patch\n"))[0]["reason"],
            "file_exists");
}

TEST_F(FsApplyPatchTest, ALongReportIsCut) {
  std::string patch = "*** Begin Patch\n";
  for (int i = 0; i < 60; ++i) patch += "*** Delete File: missing" + std::to_string(i) + "\n";
  auto result = refused(patch + "*** End Patch\n");
  EXPECT_EQ(failures_of(result).size(), 50u);
  EXPECT_EQ((*result.structured)["failures_not_listed"], 10);
  EXPECT_NE(text_of(result).find("- and 10 more not listed."), std::string::npos);
}

TEST_F(FsApplyPatchTest, NeverReachesOutsideTheWorkspace) {
  write_file(outside() / "secret.txt", "secret\n");
  write_file(root() / "inside.txt", "inside\n");
  fs::create_directory_symlink(outside(), root() / "out_dir");
  fs::create_symlink(outside() / "secret.txt", root() / "out_link");
  fs::create_symlink("inside.txt", root() / "in_link");
  const std::string abs_outside = (outside() / "secret.txt").string();
  const std::string abs_new = (outside() / "new.txt").string();
  const std::vector<std::string> patches = {
      // Climbing out with "..", directly or after a detour.
      "*** Begin Patch\n*** Update File: ../outside/secret.txt\n@@\n-secret\n+pwned\n"
      "*** End Patch\n",
      "*** Begin Patch\n*** Add File: ../outside/new.txt\n+pwned\n*** End Patch\n",
      "*** Begin Patch\n*** Add File: sub/../../outside/new.txt\n+pwned\n*** End Patch\n",
      "*** Begin Patch\n*** Delete File: ../outside/secret.txt\n*** End Patch\n",
      "--- a/../outside/secret.txt\n+++ b/../outside/secret.txt\n@@ -1 +1 @@\n-secret\n+pwned\n",
      // Absolute paths outside the root.
      "*** Begin Patch\n*** Update File: " + abs_outside + "\n@@\n-secret\n+pwned\n*** End Patch\n",
      "--- /dev/null\n+++ " + abs_new + "\n@@ -0,0 +1 @@\n+pwned\n",
      // Through a symlinked directory that leads out.
      "*** Begin Patch\n*** Update File: out_dir/secret.txt\n@@\n-secret\n+pwned\n"
      "*** End Patch\n",
      "*** Begin Patch\n*** Add File: out_dir/new.txt\n+pwned\n*** End Patch\n",
      "*** Begin Patch\n*** Add File: out_dir/deeper/new.txt\n+pwned\n*** End Patch\n",
      "*** Begin Patch\n*** Delete File: out_dir/secret.txt\n*** End Patch\n",
      // Symlinks as targets, wherever they point, are never written through or replaced.
      "*** Begin Patch\n*** Update File: out_link\n@@\n-secret\n+pwned\n*** End Patch\n",
      "*** Begin Patch\n*** Update File: in_link\n@@\n-inside\n+pwned\n*** End Patch\n",
      "*** Begin Patch\n*** Delete File: out_link\n*** End Patch\n",
      "*** Begin Patch\n*** Add File: out_link\n+pwned\n*** End Patch\n",
      // Moves out, or from outside in.
      "*** Begin Patch\n*** Update File: inside.txt\n*** Move to: ../outside/moved.txt\n"
      "*** End Patch\n",
      "*** Begin Patch\n*** Update File: inside.txt\n*** Move to: out_dir/moved.txt\n"
      "*** End Patch\n",
      "*** Begin Patch\n*** Update File: out_dir/secret.txt\n*** Move to: stolen.txt\n"
      "*** End Patch\n",
      "*** Begin Patch\n*** Update File: out_link\n*** Move to: stolen.txt\n*** End Patch\n",
  };
  for (const std::string& patch : patches) {
    SCOPED_TRACE(patch);
    auto result = refused(patch);
    ASSERT_FALSE(failures_of(result).empty()) << text_of(result);
    const std::string reason = failures_of(result)[0]["reason"];
    EXPECT_TRUE(reason == "refused" || reason == "file_exists") << text_of(result);
  }
  EXPECT_EQ(read_file(outside() / "secret.txt"), "secret\n");
  EXPECT_EQ(read_file(root() / "inside.txt"), "inside\n");
  EXPECT_TRUE(fs::is_symlink(root() / "out_link"));
  EXPECT_TRUE(fs::is_symlink(root() / "in_link"));
  // An absolute path inside the root is the same file as its relative name.
  auto inside = apply("*** Begin Patch\n*** Update File: " + (root() / "inside.txt").string() +
                      "\n@@\n-inside\n+changed\n*** End Patch\n");
  ASSERT_FALSE(inside.is_error) << text_of(inside);
  EXPECT_EQ(read_file(root() / "inside.txt"), "changed\n");
}

TEST_F(FsApplyPatchTest, RefusesSpecialBinaryAndOversizedFilesWithoutBlocking) {
  ASSERT_TRUE(testing::make_special(root() / "pipe", testing::SpecialKind::kFifo));
  write_file(root() / "image.bin", std::string("PNG\0\0data\n", 10));
  fs::create_directory(root() / "dir");
  {
    const int fd = ::open((root() / "big.txt").c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 17 * 1024 * 1024), 0);  // sparse: nothing is written
    ::close(fd);
  }
  for (const char* path : {"pipe", "image.bin", "dir", "big.txt"}) {
    SCOPED_TRACE(path);
    auto result = refused(std::string("*** Begin Patch\n*** Update File: ") + path +
                          "\n@@\n-x\n+y\n*** End Patch\n");
    ASSERT_EQ(failures_of(result).size(), 1u);
    EXPECT_EQ(failures_of(result)[0]["reason"], "refused");
  }
  EXPECT_NE(text_of(refused("*** Begin Patch\n*** Delete File: pipe\n*** End Patch\n"))
                .find("not a regular file"),
            std::string::npos);
}

TEST_F(FsApplyPatchTest, RefusesAHugePatchAndMalformedOnesByLine) {
  std::string huge = "*** Begin Patch\n*** Add File: big.txt\n";
  while (huge.size() <= 4 * 1024 * 1024) huge += "+" + std::string(1000, 'x') + "\n";
  huge += "*** End Patch\n";
  auto too_big = refused(huge);
  EXPECT_NE(text_of(too_big).find("at most 4 MiB"), std::string::npos) << text_of(too_big);

  auto malformed = refused("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n+b\n");
  EXPECT_NE(text_of(malformed).find("Line 3: the hunk header"), std::string::npos)
      << text_of(malformed);
  EXPECT_TRUE(call("fs_apply_patch", {{"dry_run", true}}).is_error);
}

TEST_F(FsApplyPatchTest, TheSameFileTwiceIsRefused) {
  write_file(root() / "a.txt", "a\n");
  write_file(root() / "dir/b.txt", "b\n");
  ASSERT_EQ(::link((root() / "a.txt").c_str(), (root() / "hard.txt").c_str()), 0);
  for (const std::string& patch : {
           std::string("*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+1\n"
                       "*** Update File: ./a.txt\n@@\n-a\n+2\n*** End Patch\n"),
           std::string("*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+1\n"
                       "*** Update File: hard.txt\n@@\n-a\n+2\n*** End Patch\n"),
           std::string("*** Begin Patch\n*** Delete File: dir/b.txt\n"
                       "*** Add File: dir\n+x\n*** End Patch\n"),
       }) {
    SCOPED_TRACE(patch);
    auto result = refused(patch);
    ASSERT_EQ(failures_of(result).size(), 1u) << text_of(result);
    EXPECT_EQ(failures_of(result)[0]["reason"], "refused");
  }
}

TEST_F(FsApplyPatchTest, KeepsModesAndLineEnds) {
  write_file(root() / "run.sh", "#!/bin/sh\r\necho hi\r\n");
  ::chmod((root() / "run.sh").c_str(), 0751);
  write_file(root() / "tail.txt", "last line without newline");
  auto result = apply(
      "*** Begin Patch\n"
      "*** Update File: run.sh\n@@\n #!/bin/sh\n-echo hi\n+echo hello\n+exit 0\n"
      "*** Update File: tail.txt\n@@\n-last line without newline\n+still without\n"
      "*** End Patch\n");
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "run.sh"), "#!/bin/sh\r\necho hello\r\nexit 0\r\n");
  EXPECT_EQ(permission_bits(root() / "run.sh"), 0751u);
  EXPECT_EQ(read_file(root() / "tail.txt"), "still without");
}

TEST_F(FsApplyPatchTest, FollowsTheToolConventions) {
  nlohmann::json tool;
  for (const auto& listed : registry_.list()) {
    if (listed["name"] == "fs_apply_patch") tool = listed;
  }
  ASSERT_FALSE(tool.is_null());
  EXPECT_EQ(tool["annotations"].value("readOnlyHint", false), false);
  EXPECT_EQ(tool["annotations"].value("destructiveHint", true), true);
  EXPECT_EQ(tool["inputSchema"]["required"], nlohmann::json({"patch"}));
  EXPECT_EQ(tool["outputSchema"]["properties"]["files"]["type"], "array");
  // Context is what a model pays for on every turn.
  EXPECT_LT(tool["description"].get<std::string>().size(), 400u);
  EXPECT_LT(tool.dump().size(), 2200u) << tool.dump().size();
}

}  // namespace
}  // namespace benchtop
