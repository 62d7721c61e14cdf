#include <gtest/gtest.h>

#include "tests/support/fs_tools_test_support.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using testing::exists_no_follow;
using testing::read_file;
using testing::write_file;

std::vector<std::string> paths_of(const ToolResult& result) {
  std::vector<std::string> paths;
  for (const auto& entry : (*result.structured)["entries"]) paths.push_back(entry["path"]);
  return paths;
}

class FsListTest : public testing::FsToolsFixture {
 protected:
  void SetUp() override {
    write_file(root() / "b.txt", "12345");
    write_file(root() / "a" / "inner.txt", "x");
    write_file(root() / "a" / "deep" / "deeper.txt", "y");
    write_file(root() / ".hidden" / "h.txt", "h");
    write_file(root() / ".env", "SECRET=1");
    write_file(outside() / "o1.txt", "o");
    fs::create_directory_symlink(outside(), root() / "out_link");
  }
};

TEST_F(FsListTest, ListsOneLevelSortedWithTypesAndSizes) {
  auto result = call("fs_list", nlohmann::json::object());
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ(paths_of(result), (std::vector<std::string>{"a", "b.txt", "out_link"}));
  const auto& entries = (*result.structured)["entries"];
  EXPECT_EQ(entries[0]["type"], "directory");
  EXPECT_FALSE(entries[0].contains("size"));
  EXPECT_EQ(entries[1]["type"], "file");
  EXPECT_EQ(entries[1]["size"], 5);
  EXPECT_EQ(entries[2]["type"], "symlink");
  EXPECT_EQ(entries[2]["target"], outside().string());
  EXPECT_EQ((*result.structured)["truncated"], false);
  EXPECT_NE(text_of(result).find("a/\n"), std::string::npos) << text_of(result);
}

TEST_F(FsListTest, ShowsSizesInHumanUnitsAndExactInStructuredContent) {
  write_file(root() / "big.bin", std::string(1536, 'x'));
  auto result = call("fs_list", nlohmann::json::object());
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_NE(text_of(result).find("big.bin  (1.5 KiB)"), std::string::npos) << text_of(result);
  EXPECT_NE(text_of(result).find("b.txt  (5 bytes)"), std::string::npos) << text_of(result);
  EXPECT_EQ((*result.structured)["entries"][2]["size"], 1536);
}

TEST_F(FsListTest, DepthHiddenAndSubdirectories) {
  auto deep = call("fs_list", {{"depth", 3}, {"include_hidden", true}});
  EXPECT_EQ(paths_of(deep),
            (std::vector<std::string>{".env", ".hidden", ".hidden/h.txt", "a", "a/deep",
                                      "a/deep/deeper.txt", "a/inner.txt", "b.txt", "out_link"}));
  auto sub = call("fs_list", {{"path", "a"}, {"depth", 2}});
  EXPECT_EQ(paths_of(sub),
            (std::vector<std::string>{"a/deep", "a/deep/deeper.txt", "a/inner.txt"}));
}

TEST_F(FsListTest, NeverFollowsSymlinksIntoDirectories) {
  auto result = call("fs_list", {{"depth", 10}});
  for (const auto& path : paths_of(result)) {
    EXPECT_EQ(path.find("out_link/"), std::string::npos) << path;
  }
  auto through = call("fs_list", {{"path", "out_link"}});
  ASSERT_TRUE(through.is_error);
  EXPECT_TRUE(call("fs_list", {{"path", ".."}}).is_error);
  EXPECT_TRUE(call("fs_list", {{"path", outside().string()}}).is_error);
}

TEST_F(FsListTest, CapsTheNumberOfEntries) {
  for (int i = 0; i < 1005; ++i) write_file(root() / "many" / ("f" + std::to_string(i)), "");
  auto result = call("fs_list", {{"path", "many"}});
  ASSERT_FALSE(result.is_error);
  EXPECT_EQ((*result.structured)["entries"].size(), 1000u);
  EXPECT_EQ((*result.structured)["truncated"], true);
  EXPECT_NE(text_of(result).find("Stopped at 1000"), std::string::npos);
}

TEST_F(FsListTest, FilesAndMissingPathsAreErrors) {
  auto file = call("fs_list", {{"path", "b.txt"}});
  ASSERT_TRUE(file.is_error);
  EXPECT_NE(text_of(file).find("not a directory"), std::string::npos) << text_of(file);
  EXPECT_TRUE(call("fs_list", {{"path", "nope"}}).is_error);
  write_file(root() / "empty" / ".keep", "");
  auto empty = call("fs_list", {{"path", "empty"}});
  EXPECT_NE(text_of(empty).find("is empty"), std::string::npos);
}

class FsDeleteTest : public testing::FsToolsFixture {};

TEST_F(FsDeleteTest, DeletesFilesAndDirectoriesOnlyWithRecursive) {
  write_file(root() / "f.txt", "x");
  write_file(root() / "dir" / "sub" / "g.txt", "y");
  auto file = call("fs_delete", {{"path", "f.txt"}});
  ASSERT_FALSE(file.is_error) << text_of(file);
  EXPECT_FALSE(fs::exists(root() / "f.txt"));
  EXPECT_EQ((*file.structured)["type"], "file");

  auto refused = call("fs_delete", {{"path", "dir"}});
  ASSERT_TRUE(refused.is_error);
  EXPECT_NE(text_of(refused).find("recursive=true"), std::string::npos);
  EXPECT_TRUE(fs::exists(root() / "dir" / "sub" / "g.txt"));
  auto recursive = call("fs_delete", {{"path", "dir"}, {"recursive", true}});
  ASSERT_FALSE(recursive.is_error) << text_of(recursive);
  EXPECT_FALSE(fs::exists(root() / "dir"));

  auto missing = call("fs_delete", {{"path", "f.txt"}});
  ASSERT_TRUE(missing.is_error);
  EXPECT_NE(text_of(missing).find("fs_list"), std::string::npos);
}

TEST_F(FsDeleteTest, NeverDeletesTheRoot) {
  write_file(root() / "keep.txt", "x");
  for (const std::string& path : {std::string(""), std::string("."), std::string("./"),
                                  root().string(), root().string() + "/", std::string("a/..")}) {
    auto result = call("fs_delete", {{"path", path}, {"recursive", true}});
    EXPECT_TRUE(result.is_error) << path;
  }
  EXPECT_TRUE(fs::exists(root() / "keep.txt"));
  auto omitted = call("fs_delete", {{"recursive", true}});
  EXPECT_TRUE(omitted.is_error);
  EXPECT_TRUE(fs::exists(root() / "keep.txt"));
}

TEST_F(FsDeleteTest, RemovesSymlinksNotTheirTargets) {
  write_file(outside() / "o.txt", "outside");
  write_file(outside() / "dir" / "inner.txt", "inner");
  fs::create_symlink(outside() / "o.txt", root() / "file_link");
  fs::create_directory_symlink(outside() / "dir", root() / "dir_link");
  write_file(root() / "tree" / "x.txt", "x");
  fs::create_directory_symlink(outside() / "dir", root() / "tree" / "nested_link");

  EXPECT_FALSE(call("fs_delete", {{"path", "file_link"}}).is_error);
  EXPECT_FALSE(call("fs_delete", {{"path", "dir_link"}}).is_error);  // a link, not a directory
  EXPECT_FALSE(call("fs_delete", {{"path", "tree"}, {"recursive", true}}).is_error);
  EXPECT_FALSE(exists_no_follow(root() / "file_link"));
  EXPECT_FALSE(exists_no_follow(root() / "dir_link"));
  EXPECT_FALSE(fs::exists(root() / "tree"));
  EXPECT_EQ(read_file(outside() / "o.txt"), "outside");
  EXPECT_EQ(read_file(outside() / "dir" / "inner.txt"), "inner");

  // Through a link to a directory outside: refused, nothing removed there.
  fs::create_directory_symlink(outside() / "dir", root() / "again");
  EXPECT_TRUE(call("fs_delete", {{"path", "again/inner.txt"}}).is_error);
  EXPECT_TRUE(call("fs_delete", {{"path", "../outside/o.txt"}}).is_error);
  EXPECT_EQ(read_file(outside() / "dir" / "inner.txt"), "inner");
  EXPECT_TRUE(fs::exists(outside() / "o.txt"));
}

class FsMoveTest : public testing::FsToolsFixture {};

TEST_F(FsMoveTest, RenamesAndRefusesToClobberWithoutOverwrite) {
  write_file(root() / "a.txt", "A");
  write_file(root() / "b.txt", "B");
  auto clobber = call("fs_move", {{"from", "a.txt"}, {"to", "b.txt"}});
  ASSERT_TRUE(clobber.is_error);
  EXPECT_NE(text_of(clobber).find("overwrite=true"), std::string::npos);
  EXPECT_EQ(read_file(root() / "b.txt"), "B");

  auto replaced = call("fs_move", {{"from", "a.txt"}, {"to", "b.txt"}, {"overwrite", true}});
  ASSERT_FALSE(replaced.is_error) << text_of(replaced);
  EXPECT_EQ((*replaced.structured)["replaced"], true);
  EXPECT_EQ(read_file(root() / "b.txt"), "A");
  EXPECT_FALSE(fs::exists(root() / "a.txt"));

  auto renamed = call("fs_move", {{"from", "b.txt"}, {"to", "c.txt"}});
  ASSERT_FALSE(renamed.is_error);
  EXPECT_EQ((*renamed.structured)["replaced"], false);
  EXPECT_EQ(read_file(root() / "c.txt"), "A");
}

TEST_F(FsMoveTest, MissingParentNeedsCreateDirs) {
  write_file(root() / "a.txt", "A");
  auto refused = call("fs_move", {{"from", "a.txt"}, {"to", "x/y/a.txt"}});
  ASSERT_TRUE(refused.is_error);
  EXPECT_NE(text_of(refused).find("create_dirs=true"), std::string::npos);
  auto moved = call("fs_move", {{"from", "a.txt"}, {"to", "x/y/a.txt"}, {"create_dirs", true}});
  ASSERT_FALSE(moved.is_error) << text_of(moved);
  EXPECT_EQ(read_file(root() / "x" / "y" / "a.txt"), "A");
}

TEST_F(FsMoveTest, MovesSymlinksAsLinks) {
  write_file(outside() / "o.txt", "outside");
  fs::create_symlink(outside() / "o.txt", root() / "link");
  auto moved = call("fs_move", {{"from", "link"}, {"to", "renamed"}});
  ASSERT_FALSE(moved.is_error) << text_of(moved);
  EXPECT_EQ((*moved.structured)["type"], "symlink");
  EXPECT_TRUE(fs::is_symlink(root() / "renamed"));
  EXPECT_EQ(read_file(outside() / "o.txt"), "outside");
}

TEST_F(FsMoveTest, RefusesOutsideRootAndSelfNesting) {
  write_file(root() / "a.txt", "A");
  write_file(outside() / "o.txt", "outside");
  fs::create_directory_symlink(outside(), root() / "out");
  EXPECT_TRUE(call("fs_move", {{"from", "a.txt"}, {"to", "../outside/a.txt"}}).is_error);
  EXPECT_TRUE(call("fs_move", {{"from", "a.txt"}, {"to", "out/a.txt"}}).is_error);
  EXPECT_TRUE(call("fs_move", {{"from", "../outside/o.txt"}, {"to", "stolen.txt"}}).is_error);
  EXPECT_TRUE(call("fs_move", {{"from", "out/o.txt"}, {"to", "stolen.txt"}}).is_error);
  EXPECT_TRUE(call("fs_move", {{"from", "a.txt"}, {"to", outside().string() + "/a.txt"}}).is_error);
  EXPECT_TRUE(call("fs_move", {{"from", ""}, {"to", "x"}}).is_error);
  EXPECT_TRUE(call("fs_move", {{"from", "a.txt"}, {"to", "."}, {"overwrite", true}}).is_error);
  EXPECT_TRUE(call("fs_move", {{"from", "a.txt"}, {"to", "a.txt"}}).is_error);
  fs::create_directory(root() / "d");
  auto nested = call("fs_move", {{"from", "d"}, {"to", "d/inner"}});
  ASSERT_TRUE(nested.is_error);
  EXPECT_NE(text_of(nested).find("into itself"), std::string::npos) << text_of(nested);
  EXPECT_EQ(read_file(root() / "a.txt"), "A");
  EXPECT_EQ(read_file(outside() / "o.txt"), "outside");
  EXPECT_FALSE(fs::exists(outside() / "a.txt"));
  EXPECT_FALSE(fs::exists(root() / "stolen.txt"));
}

}  // namespace
}  // namespace benchtop
