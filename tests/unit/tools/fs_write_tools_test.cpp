#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/fs_tools_test_support.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using testing::exists_no_follow;
using testing::permission_bits;
using testing::read_file;
using testing::write_file;

// Every name in a directory, to prove no temporary files were left behind.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class FsWriteTest : public testing::FsToolsFixture {};

TEST_F(FsWriteTest, CreatesAFile) {
  auto result = call("fs_write", {{"path", "notes.txt"}, {"content", "hello\n"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "notes.txt"), "hello\n");
  EXPECT_EQ((*result.structured)["created"], true);
  EXPECT_EQ((*result.structured)["bytes_written"], 6);
  EXPECT_EQ((*result.structured)["size"], 6);
  EXPECT_EQ(names_in(root()), std::vector<std::string>{"notes.txt"});
}

TEST_F(FsWriteTest, OverwriteKeepsPermissionBits) {
  write_file(root() / "run.sh", "old\n");
  ::chmod((root() / "run.sh").c_str(), 0751);
  auto result = call("fs_write", {{"path", "run.sh"}, {"content", "#!/bin/sh\n"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "run.sh"), "#!/bin/sh\n");
  EXPECT_EQ(permission_bits(root() / "run.sh"), 0751u);
  EXPECT_EQ((*result.structured)["created"], false);
  EXPECT_EQ((*result.structured)["mode"], "0751");
  EXPECT_EQ(names_in(root()), std::vector<std::string>{"run.sh"});
}

TEST_F(FsWriteTest, CreateModeRefusesAnExistingFile) {
  write_file(root() / "keep.txt", "precious\n");
  auto result = call("fs_write", {{"path", "keep.txt"}, {"content", "x"}, {"mode", "create"}});
  ASSERT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("already exists"), std::string::npos);
  EXPECT_EQ(read_file(root() / "keep.txt"), "precious\n");
  auto fresh = call("fs_write", {{"path", "new.txt"}, {"content", "x"}, {"mode", "create"}});
  ASSERT_FALSE(fresh.is_error) << text_of(fresh);
  EXPECT_EQ(read_file(root() / "new.txt"), "x");
}

TEST_F(FsWriteTest, AppendAddsToTheEndOrCreates) {
  write_file(root() / "log.txt", "a\n");
  ::chmod((root() / "log.txt").c_str(), 0600);
  auto result = call("fs_write", {{"path", "log.txt"}, {"content", "b\n"}, {"mode", "append"}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "log.txt"), "a\nb\n");
  EXPECT_EQ((*result.structured)["size"], 4);
  EXPECT_EQ((*result.structured)["bytes_written"], 2);
  EXPECT_EQ(permission_bits(root() / "log.txt"), 0600u);
  auto created = call("fs_write", {{"path", "new.log"}, {"content", "x"}, {"mode", "append"}});
  ASSERT_FALSE(created.is_error);
  EXPECT_EQ((*created.structured)["created"], true);
  EXPECT_EQ(read_file(root() / "new.log"), "x");
}

TEST_F(FsWriteTest, MissingParentsAreCreatedUnlessCreateDirsIsOff) {
  auto refused =
      call("fs_write", {{"path", "a/b/c.txt"}, {"content", "x"}, {"create_dirs", false}});
  ASSERT_TRUE(refused.is_error);
  EXPECT_NE(text_of(refused).find("create_dirs"), std::string::npos);
  EXPECT_FALSE(fs::exists(root() / "a"));
  auto created = call("fs_write", {{"path", "a/b/c.txt"}, {"content", "x"}});
  ASSERT_FALSE(created.is_error) << text_of(created);
  EXPECT_EQ(read_file(root() / "a" / "b" / "c.txt"), "x");
}

TEST_F(FsWriteTest, RefusesSymlinksWhereverTheyPoint) {
  write_file(outside() / "target.txt", "outside\n");
  write_file(root() / "real.txt", "inside\n");
  fs::create_symlink(outside() / "target.txt", root() / "out_link");
  fs::create_symlink("real.txt", root() / "in_link");
  fs::create_symlink(outside() / "new.txt", root() / "dangling_out");
  for (const char* link : {"out_link", "in_link", "dangling_out"}) {
    for (const char* mode : {"overwrite", "create", "append"}) {
      auto result = call("fs_write", {{"path", link}, {"content", "PWNED"}, {"mode", mode}});
      ASSERT_TRUE(result.is_error) << link << " " << mode;
      EXPECT_NE(text_of(result).find("is a symlink"), std::string::npos) << text_of(result);
      EXPECT_TRUE(fs::is_symlink(root() / link));
    }
  }
  EXPECT_EQ(read_file(outside() / "target.txt"), "outside\n");
  EXPECT_EQ(read_file(root() / "real.txt"), "inside\n");
  EXPECT_FALSE(exists_no_follow(outside() / "new.txt"));
}

TEST_F(FsWriteTest, NeverWritesOutside) {
  fs::create_directory_symlink(outside(), root() / "out_dir");
  for (const std::string& path : {std::string("../outside/x.txt"), (outside() / "x.txt").string(),
                                  std::string("out_dir/x.txt"), std::string("out_dir/new/x.txt"),
                                  root().string() + "2/x.txt"}) {
    for (bool create_dirs : {false, true}) {
      auto result =
          call("fs_write", {{"path", path}, {"content", "x"}, {"create_dirs", create_dirs}});
      EXPECT_TRUE(result.is_error) << path;
    }
  }
  EXPECT_TRUE(names_in(outside()).empty());
  EXPECT_FALSE(fs::exists(root().string() + "2"));
}

TEST_F(FsWriteTest, AHardLinkToAnOutsideFileIsReplacedNotWrittenThrough) {
  // A hard link cannot be told from a regular file by its path; writing a new inode and renaming
  // it into place means the outside file keeps its contents.
  write_file(outside() / "shared.txt", "outside original\n");
  fs::create_hard_link(outside() / "shared.txt", root() / "hard.txt");
  for (const char* mode : {"overwrite", "append"}) {
    auto result = call("fs_write", {{"path", "hard.txt"}, {"content", "new\n"}, {"mode", mode}});
    ASSERT_FALSE(result.is_error) << text_of(result);
  }
  EXPECT_EQ(read_file(outside() / "shared.txt"), "outside original\n");
  EXPECT_EQ(read_file(root() / "hard.txt"), "new\nnew\n");
}

TEST_F(FsWriteTest, RefusesDirectoriesTheRootAndSpecialFiles) {
  fs::create_directory(root() / "dir");
  EXPECT_TRUE(call("fs_write", {{"path", "dir"}, {"content", "x"}}).is_error);
  EXPECT_TRUE(call("fs_write", {{"path", ""}, {"content", "x"}}).is_error);
  EXPECT_TRUE(call("fs_write", {{"path", "."}, {"content", "x"}}).is_error);
  EXPECT_TRUE(call("fs_write", {{"path", "dir/.."}, {"content", "x"}}).is_error);
  ASSERT_EQ(::mkfifo((root() / "pipe").c_str(), 0600), 0);
  EXPECT_TRUE(call("fs_write", {{"path", "pipe"}, {"content", "x"}}).is_error);
}

class FsEditTest : public testing::FsToolsFixture {};

const char* kSource =
    "int main() {\n"
    "  int x = 1;\n"
    "  int y = 2;\n"
    "  return x + y;\n"
    "}\n";

TEST_F(FsEditTest, ReplacesAUniqueMatchAndReturnsADiff) {
  write_file(root() / "main.c", kSource);
  ::chmod((root() / "main.c").c_str(), 0640);
  auto result = call(
      "fs_edit",
      {{"path", "main.c"}, {"edits", {{{"old_text", "int y = 2;"}, {"new_text", "int y = 3;"}}}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "main.c"),
            "int main() {\n  int x = 1;\n  int y = 3;\n  return x + y;\n}\n");
  const auto& s = *result.structured;
  EXPECT_EQ(s["diff"],
            "--- a/main.c\n+++ b/main.c\n@@ -1,5 +1,5 @@\n int main() {\n   int x = 1;\n"
            "-  int y = 2;\n+  int y = 3;\n   return x + y;\n }\n");
  EXPECT_EQ(s["changed"], true);
  EXPECT_EQ(s["replacements"], 1);
  EXPECT_EQ(s["lines_added"], 1);
  EXPECT_NE(text_of(result).find("+  int y = 3;"), std::string::npos);
  EXPECT_EQ(permission_bits(root() / "main.c"), 0640u);
  EXPECT_EQ(names_in(root()), std::vector<std::string>{"main.c"});
}

TEST_F(FsEditTest, DryRunWritesNothing) {
  write_file(root() / "main.c", kSource);
  const auto before = fs::last_write_time(root() / "main.c");
  auto result = call("fs_edit", {{"path", "main.c"},
                                 {"dry_run", true},
                                 {"edits", {{{"old_text", "x + y"}, {"new_text", "x * y"}}}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "main.c"), kSource);
  EXPECT_EQ(fs::last_write_time(root() / "main.c"), before);
  EXPECT_NE((*result.structured)["diff"].get<std::string>().find("+  return x * y;"),
            std::string::npos);
  EXPECT_EQ((*result.structured)["dry_run"], true);
  EXPECT_NE(text_of(result).find("Dry run"), std::string::npos);
}

TEST_F(FsEditTest, NoMatchNamesTheEditAndTheClosestLine) {
  write_file(root() / "main.c", kSource);
  auto result = call("fs_edit", {{"path", "main.c"},
                                 {"edits",
                                  {{{"old_text", "int x = 1;"}, {"new_text", "int x = 5;"}},
                                   {{"old_text", "return x - y;"}, {"new_text", "return 0;"}}}}});
  ASSERT_TRUE(result.is_error);
  const std::string message = text_of(result);
  EXPECT_NE(message.find("edits[1]"), std::string::npos) << message;
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
  EXPECT_NE(message.find("line 4"), std::string::npos) << message;
  EXPECT_EQ(read_file(root() / "main.c"), kSource);
}

TEST_F(FsEditTest, WhitespaceOnlyDifferenceIsPointedOut) {
  write_file(root() / "main.c", kSource);
  auto result =
      call("fs_edit",
           {{"path", "main.c"},
            {"edits", {{{"old_text", "int x = 1;\nint y = 2;"}, {"new_text", "int z = 0;"}}}}});
  ASSERT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("whitespace or indentation starts at line 2"), std::string::npos)
      << text_of(result);
}

TEST_F(FsEditTest, SeveralMatchesAreRefusedWithTheirLines) {
  write_file(root() / "f.txt", "a = 1\nb = 2\na = 1\nc\na = 1\n");
  auto result = call(
      "fs_edit", {{"path", "f.txt"}, {"edits", {{{"old_text", "a = 1"}, {"new_text", "a = 9"}}}}});
  ASSERT_TRUE(result.is_error);
  const std::string message = text_of(result);
  EXPECT_NE(message.find("edits[0]"), std::string::npos) << message;
  EXPECT_NE(message.find("3 times"), std::string::npos) << message;
  EXPECT_NE(message.find("lines 1, 3, 5"), std::string::npos) << message;
  EXPECT_NE(message.find("replace_all"), std::string::npos) << message;

  auto all =
      call("fs_edit",
           {{"path", "f.txt"},
            {"edits", {{{"old_text", "a = 1"}, {"new_text", "a = 9"}, {"replace_all", true}}}}});
  ASSERT_FALSE(all.is_error) << text_of(all);
  EXPECT_EQ(read_file(root() / "f.txt"), "a = 9\nb = 2\na = 9\nc\na = 9\n");
  EXPECT_EQ((*all.structured)["replacements"], 3);
}

TEST_F(FsEditTest, AFailedMultiEditLeavesTheFileByteIdentical) {
  write_file(root() / "main.c", kSource);
  struct stat before {};
  ASSERT_EQ(::stat((root() / "main.c").c_str(), &before), 0);
  auto result = call("fs_edit", {{"path", "main.c"},
                                 {"edits",
                                  {{{"old_text", "int x = 1;"}, {"new_text", "int x = 5;"}},
                                   {{"old_text", "int y = 2;"}, {"new_text", "int y = 6;"}},
                                   {{"old_text", "int"}, {"new_text", "long"}}}}});
  ASSERT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("edits[2]"), std::string::npos) << text_of(result);
  EXPECT_EQ(read_file(root() / "main.c"), kSource);
  struct stat after {};
  ASSERT_EQ(::stat((root() / "main.c").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(names_in(root()), std::vector<std::string>{"main.c"});
}

TEST_F(FsEditTest, EditsApplyInOrderToTheResultOfThePreviousOnes) {
  write_file(root() / "f.txt", "alpha\n");
  auto result = call("fs_edit", {{"path", "f.txt"},
                                 {"edits",
                                  {{{"old_text", "alpha"}, {"new_text", "beta"}},
                                   {{"old_text", "beta"}, {"new_text", "gamma"}}}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "f.txt"), "gamma\n");
}

TEST_F(FsEditTest, CrlfFilesMatchLfOldTextAndKeepTheirLineEnds) {
  write_file(root() / "win.txt", "one\r\ntwo\r\nthree\r\n");
  auto result = call(
      "fs_edit",
      {{"path", "win.txt"}, {"edits", {{{"old_text", "one\ntwo\n"}, {"new_text", "1\n2\n"}}}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(read_file(root() / "win.txt"), "1\r\n2\r\nthree\r\n");
}

TEST_F(FsEditTest, NoChangeIsReportedAndNotWritten) {
  write_file(root() / "f.txt", "same\n");
  auto result = call(
      "fs_edit", {{"path", "f.txt"}, {"edits", {{{"old_text", "same"}, {"new_text", "same"}}}}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ((*result.structured)["changed"], false);
  EXPECT_EQ((*result.structured)["diff"], "");
}

TEST_F(FsEditTest, RefusesSymlinksBinaryAndOutside) {
  write_file(outside() / "secret.txt", "int x = 1;\n");
  fs::create_symlink(outside() / "secret.txt", root() / "link.c");
  write_file(root() / "real.c", "int x = 1;\n");
  fs::create_symlink("real.c", root() / "inside_link.c");
  const nlohmann::json edits = {{{"old_text", "int x = 1;"}, {"new_text", "PWNED"}}};
  for (const char* path : {"link.c", "inside_link.c"}) {
    auto result = call("fs_edit", {{"path", path}, {"edits", edits}});
    ASSERT_TRUE(result.is_error) << path;
    EXPECT_NE(text_of(result).find("symlink"), std::string::npos) << text_of(result);
  }
  EXPECT_TRUE(call("fs_edit", {{"path", "../outside/secret.txt"}, {"edits", edits}}).is_error);
  EXPECT_EQ(read_file(outside() / "secret.txt"), "int x = 1;\n");
  EXPECT_TRUE(fs::is_symlink(root() / "link.c"));

  write_file(root() / "blob.bin", std::string("int x = 1;\0\x01", 12));
  auto binary = call("fs_edit", {{"path", "blob.bin"}, {"edits", edits}});
  ASSERT_TRUE(binary.is_error);
  EXPECT_NE(text_of(binary).find("UTF-8"), std::string::npos);
  EXPECT_TRUE(call("fs_edit", {{"path", "missing.c"}, {"edits", edits}}).is_error);
}

}  // namespace
}  // namespace benchtop
