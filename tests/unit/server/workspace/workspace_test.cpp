#include "server/workspace/workspace.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/fs_test_support.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dirs_.outside() / "secret.txt", "outside secret\n");
    write_file(dirs_.root() / "inside.txt", "inside\n");
    fs::create_directory(dirs_.root() / "sub");
    write_file(dirs_.root() / "sub" / "nested.txt", "nested\n");
    auto opened = Workspace::open(dirs_.root());
    ASSERT_TRUE(opened) << opened.error().message;
    ws_ = std::move(opened).value();
  }

  std::string read_through_guard(const std::string& relative) {
    auto fd = ws_->open_at(relative, O_RDONLY);
    if (!fd) return "ERROR:" + fd.error().code;
    std::string data(4096, '\0');
    const ssize_t n = ::read(fd->get(), data.data(), data.size());
    data.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return data;
  }

  testing::WorkspaceFixtureDirs dirs_;
  std::shared_ptr<Workspace> ws_;
};

TEST_F(WorkspaceTest, NormalisesRelativePaths) {
  EXPECT_EQ(*ws_->relative_path(""), "");
  EXPECT_EQ(*ws_->relative_path("."), "");
  EXPECT_EQ(*ws_->relative_path("./"), "");
  EXPECT_EQ(*ws_->relative_path("a//b/./c/"), "a/b/c");
  EXPECT_EQ(*ws_->relative_path("a/../b"), "a/../b");  // ".." is judged by the kernel
}

TEST_F(WorkspaceTest, AcceptsAbsolutePathsInsideOnly) {
  const std::string root = dirs_.root().string();
  EXPECT_EQ(*ws_->relative_path(root), "");
  EXPECT_EQ(*ws_->relative_path(root + "/"), "");
  EXPECT_EQ(*ws_->relative_path(root + "/sub/nested.txt"), "sub/nested.txt");
  EXPECT_EQ(*ws_->relative_path(root + "//sub/./nested.txt"), "sub/nested.txt");
  auto outside = ws_->relative_path((dirs_.outside() / "secret.txt").string());
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, "outside_workspace");
  EXPECT_FALSE(ws_->relative_path("/etc/passwd"));
  EXPECT_FALSE(ws_->relative_path("/"));
}

TEST_F(WorkspaceTest, SiblingWithSamePrefixIsOutside) {
  // /tmp/x/ws vs /tmp/x/ws2: a string prefix test would let ws2 in.
  fs::create_directory(dirs_.base() / "ws2");
  write_file(dirs_.base() / "ws2" / "file.txt", "sibling\n");
  auto result = ws_->relative_path(dirs_.root().string() + "2/file.txt");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "outside_workspace");
  EXPECT_FALSE(ws_->relative_path(dirs_.root().string() + "2"));
}

TEST_F(WorkspaceTest, AbsolutePathWithDotDotIsNotMatchedLexically) {
  // <root>/../outside/secret.txt starts with the root, but ".." is left for the kernel.
  auto relative = ws_->relative_path(dirs_.root().string() + "/../outside/secret.txt");
  ASSERT_TRUE(relative);
  auto fd = ws_->open_at(*relative, O_RDONLY);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, "outside_workspace");
}

TEST_F(WorkspaceTest, RootGivenThroughASymlinkIsAcceptedInBothSpellings) {
  fs::create_directory_symlink(dirs_.root(), dirs_.base() / "alias");
  auto opened = Workspace::open(dirs_.base() / "alias");
  ASSERT_TRUE(opened);
  auto& ws = *opened;
  EXPECT_EQ(ws->root(), dirs_.root());
  EXPECT_EQ(*ws->relative_path((dirs_.base() / "alias" / "inside.txt").string()), "inside.txt");
  EXPECT_EQ(*ws->relative_path((dirs_.root() / "inside.txt").string()), "inside.txt");
  EXPECT_FALSE(ws->relative_path((dirs_.base() / "aliasX" / "inside.txt").string()));
}

TEST_F(WorkspaceTest, RejectsNulBytes) {
  const std::string with_nul("inside.txt\0../../etc/passwd", 27);
  auto relative = ws_->relative_path(with_nul);
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().code, "invalid_path");
  EXPECT_FALSE(ws_->open_at(with_nul, O_RDONLY));
  EXPECT_FALSE(ws_->open_parent(with_nul));
}

TEST_F(WorkspaceTest, DotDotEscapesAreRefused) {
  for (const char* path : {"..", "../outside/secret.txt", "sub/../../outside/secret.txt",
                           "sub/../sub/../../outside/secret.txt"}) {
    auto fd = ws_->open_at(path, O_RDONLY);
    ASSERT_FALSE(fd) << path;
    EXPECT_EQ(fd.error().code, "outside_workspace") << path;
  }
  EXPECT_EQ(read_through_guard("sub/../inside.txt"), "inside\n");
}

TEST_F(WorkspaceTest, AbsolutePathsAreRefusedByTheKernelToo) {
  // Even a caller that skips relative_path cannot open an absolute path.
  auto fd = ws_->open_at((dirs_.outside() / "secret.txt").string(), O_RDONLY);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, "outside_workspace");
}

TEST_F(WorkspaceTest, SymlinksLeadingOutsideAreRefused) {
  const fs::path root = dirs_.root();
  fs::create_symlink(dirs_.outside() / "secret.txt", root / "abs_file");
  fs::create_symlink("../outside/secret.txt", root / "rel_file");
  fs::create_directory_symlink(dirs_.outside(), root / "abs_dir");
  fs::create_directory_symlink("../outside", root / "rel_dir");
  fs::create_symlink(dirs_.outside() / "missing.txt", root / "abs_dangling");
  fs::create_symlink("../outside/missing.txt", root / "rel_dangling");
  fs::create_symlink("sub/../../outside/secret.txt", root / "sub_escape");
  for (const char* path : {"abs_file", "rel_file", "abs_dir/secret.txt", "rel_dir/secret.txt",
                           "abs_dangling", "rel_dangling", "sub_escape"}) {
    EXPECT_EQ(read_through_guard(path), "ERROR:outside_workspace") << path;
  }
  // Creating through a link that leads out must not create anything outside.
  for (const char* path : {"abs_dangling", "rel_dangling", "abs_dir/new.txt", "rel_dir/new.txt"}) {
    auto fd = ws_->open_at(path, O_WRONLY | O_CREAT, 0644);
    EXPECT_FALSE(fd) << path;
  }
  EXPECT_FALSE(fs::exists(dirs_.outside() / "missing.txt"));
  EXPECT_FALSE(fs::exists(dirs_.outside() / "new.txt"));
  EXPECT_EQ(read_file(dirs_.outside() / "secret.txt"), "outside secret\n");
}

TEST_F(WorkspaceTest, SymlinksStayingInsideWork) {
  const fs::path root = dirs_.root();
  fs::create_symlink("inside.txt", root / "to_inside");
  fs::create_directory_symlink("sub", root / "to_sub");
  fs::create_symlink("../inside.txt", root / "sub" / "up_inside");
  fs::create_symlink("missing.txt", root / "dangling_inside");
  EXPECT_EQ(read_through_guard("to_inside"), "inside\n");
  EXPECT_EQ(read_through_guard("to_sub/nested.txt"), "nested\n");
  EXPECT_EQ(read_through_guard("sub/up_inside"), "inside\n");
  EXPECT_EQ(read_through_guard("dangling_inside"), "ERROR:not_found");
  // An absolute link is refused even when it names a place inside: the kernel cannot tell.
  fs::create_symlink(root / "inside.txt", root / "abs_inside");
  EXPECT_EQ(read_through_guard("abs_inside"), "ERROR:outside_workspace");
}

TEST_F(WorkspaceTest, OpenParentRefusesRootAndDotDot) {
  auto root = ws_->open_parent("");
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().code, "is_root");
  EXPECT_FALSE(ws_->open_parent("."));
  auto dotdot = ws_->open_parent("sub/..");
  ASSERT_FALSE(dotdot);
  EXPECT_EQ(dotdot.error().code, "invalid_path");
  auto parent = ws_->open_parent("sub/nested.txt");
  ASSERT_TRUE(parent);
  EXPECT_EQ(parent->second, "nested.txt");
  struct stat st {};
  EXPECT_EQ(::fstatat(parent->first.get(), "nested.txt", &st, 0), 0);
}

TEST_F(WorkspaceTest, OpenParentCreatesMissingDirectoriesInside) {
  auto missing = ws_->open_parent("a/b/c/file.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "not_found");
  EXPECT_FALSE(fs::exists(dirs_.root() / "a"));

  auto created = ws_->open_parent("a/b/c/file.txt", true);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(fs::is_directory(dirs_.root() / "a" / "b" / "c"));
  auto via_dotdot = ws_->open_parent("x/../y/file.txt", true);
  ASSERT_TRUE(via_dotdot) << via_dotdot.error().message;
  EXPECT_TRUE(fs::is_directory(dirs_.root() / "y"));
}

TEST_F(WorkspaceTest, OpenParentNeverCreatesOutside) {
  fs::create_directory_symlink(dirs_.outside(), dirs_.root() / "out");
  auto result = ws_->open_parent("out/newdir/file.txt", true);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "outside_workspace");
  EXPECT_FALSE(fs::exists(dirs_.outside() / "newdir"));
  auto climbing = ws_->open_parent("../outside/newdir/file.txt", true);
  ASSERT_FALSE(climbing);
  EXPECT_FALSE(fs::exists(dirs_.outside() / "newdir"));
}

TEST_F(WorkspaceTest, StatAtDescribesLinksWithoutFollowingThem) {
  fs::create_symlink(dirs_.outside() / "secret.txt", dirs_.root() / "out_link");
  fs::create_symlink("inside.txt", dirs_.root() / "in_link");
  auto link = ws_->stat_at("out_link");
  ASSERT_TRUE(link);
  EXPECT_TRUE(S_ISLNK(link->st_mode));
  auto followed = ws_->stat_at("out_link", /*follow_final_symlink=*/true);
  ASSERT_FALSE(followed);
  EXPECT_EQ(followed.error().code, "outside_workspace");
  auto in = ws_->stat_at("in_link", true);
  ASSERT_TRUE(in);
  EXPECT_TRUE(S_ISREG(in->st_mode));
  EXPECT_EQ(in->st_size, 7);
  auto root = ws_->stat_at("");
  ASSERT_TRUE(root);
  EXPECT_TRUE(S_ISDIR(root->st_mode));
  auto missing = ws_->stat_at("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "not_found");
  EXPECT_FALSE(ws_->stat_at("../outside/secret.txt"));
}

TEST_F(WorkspaceTest, ReadLinkAndClassify) {
  fs::create_symlink(dirs_.outside() / "secret.txt", dirs_.root() / "out_link");
  fs::create_symlink("inside.txt", dirs_.root() / "in_link");
  fs::create_symlink("gone.txt", dirs_.root() / "dangling");
  EXPECT_EQ(*ws_->read_link("out_link"), (dirs_.outside() / "secret.txt").string());
  EXPECT_EQ(*ws_->read_link("in_link"), "inside.txt");
  EXPECT_FALSE(ws_->read_link("inside.txt"));
  EXPECT_EQ(ws_->classify_link("out_link"), Workspace::LinkTarget::kOutside);
  EXPECT_EQ(ws_->classify_link("in_link"), Workspace::LinkTarget::kInside);
  EXPECT_EQ(ws_->classify_link("dangling"), Workspace::LinkTarget::kDangling);
}

TEST_F(WorkspaceTest, PathErrorCodes) {
  EXPECT_EQ(path_error("x", ENOENT).code, "not_found");
  EXPECT_EQ(path_error("x", EXDEV).code, "outside_workspace");
  EXPECT_EQ(path_error("x", EEXIST).code, "exists");
  EXPECT_EQ(path_error("", ENOENT).message, "No such file or directory: .");
}

}  // namespace
}  // namespace benchtop
