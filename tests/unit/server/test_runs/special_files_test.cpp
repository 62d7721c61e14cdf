// No read of workspace data blocks on a special file: a FIFO, socket or device planted under any
// name is refused (or skipped by a walk) at once, by the guard's open and by every tool built on
// it. Each call runs with a deadline, so a regression fails the test instead of hanging it.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "server/test_runs/runner_detection.h"
#include "server/workspace/regular_file.h"
#include "tests/support/fs_tools_test_support.h"
#include "tests/support/special_file_support.h"
#include "tools/search/search_tools.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::SpecialKind;

constexpr auto kDeadline = 5s;

class SpecialFilesTest : public testing::FsToolsFixture,
                         public ::testing::WithParamInterface<SpecialKind> {
 protected:
  SpecialFilesTest() { register_search_tools(registry_, provider_); }

  // Plants the parameter's kind of file at `relative`; false where the host forbids it (a device
  // node needs CAP_MKNOD), and the test is then skipped.
  bool plant(const std::string& relative) {
    const auto path = root() / relative;
    std::filesystem::create_directories(path.parent_path());
    if (!testing::make_special(path, GetParam())) return false;
    if (GetParam() == SpecialKind::kFifo) fifos_.push_back(path);
    return true;
  }

  // Runs `call` with the deadline; fails the test if it blocked.
  void expect_prompt(const std::function<void()>& call) {
    EXPECT_TRUE(testing::returns_within(kDeadline, call, fifos_))
        << "blocked on a " << testing::special_kind_name(GetParam());
  }

  std::vector<std::filesystem::path> fifos_;
};

TEST_P(SpecialFilesTest, TheGuardRefusesToOpenOneForReading) {
  if (!plant("special")) GTEST_SKIP() << "cannot create this kind of file here";
  auto workspace = provider_.workspace(std::nullopt).value();
  for (const int flags : {O_RDONLY, O_RDONLY | O_NONBLOCK, O_RDWR, O_WRONLY}) {
    expect_prompt([&] {
      auto fd = workspace->open_at("special", flags);
      ASSERT_FALSE(fd) << "flags " << flags;
      EXPECT_EQ(fd.error().code, "not_regular") << fd.error().message;
    });
  }
  // Looking at it without opening it for I/O still works.
  EXPECT_TRUE(workspace->open_at("special", O_PATH));
  EXPECT_TRUE(workspace->stat_at("special"));
}

TEST_P(SpecialFilesTest, FsReadRefusesIt) {
  if (!plant("data.txt")) GTEST_SKIP() << "cannot create this kind of file here";
  expect_prompt([&] {
    ToolResult result = call("fs_read", {{"path", "data.txt"}});
    EXPECT_TRUE(result.is_error);
    EXPECT_NE(text_of(result).find("not a regular file"), std::string::npos) << text_of(result);
  });
}

TEST_P(SpecialFilesTest, FsGrepSkipsItAndSearchesTheRest) {
  if (!plant("a_special.txt")) GTEST_SKIP() << "cannot create this kind of file here";
  testing::write_file(root() / "b.txt", "needle\n");
  expect_prompt([&] {
    ToolResult result = call("fs_grep", {{"pattern", "needle"}});
    EXPECT_FALSE(result.is_error) << text_of(result);
    EXPECT_NE(text_of(result).find("b.txt"), std::string::npos) << text_of(result);
  });
}

TEST_P(SpecialFilesTest, IgnoreFilesThatAreSpecialAreSkippedByWalks) {
  if (!plant(".gitignore")) GTEST_SKIP() << "cannot create this kind of file here";
  if (!plant("sub/.gitignore")) GTEST_SKIP() << "cannot create this kind of file here";
  testing::write_file(root() / "sub" / "kept.txt", "x");
  expect_prompt([&] {
    ToolResult result = call("fs_glob", {{"pattern", "**/*.txt"}});
    EXPECT_FALSE(result.is_error) << text_of(result);
    EXPECT_NE(text_of(result).find("sub/kept.txt"), std::string::npos) << text_of(result);
  });
  expect_prompt([&] {
    ToolResult result = call("fs_grep", {{"pattern", "x"}, {"path", "sub"}});
    EXPECT_FALSE(result.is_error) << text_of(result);
  });
}

TEST_P(SpecialFilesTest, TestRunnerDetectionDoesNotReadIt) {
  if (!plant("package.json")) GTEST_SKIP() << "cannot create this kind of file here";
  auto workspace = provider_.workspace(std::nullopt).value();
  expect_prompt([&] { (void)test_runs::plan_test_run(*workspace, std::nullopt, {}); });
}

INSTANTIATE_TEST_SUITE_P(Kinds, SpecialFilesTest,
                         ::testing::Values(SpecialKind::kFifo, SpecialKind::kSocket,
                                           SpecialKind::kCharDevice),
                         [](const auto& info) { return testing::special_kind_name(info.param); });

class RegularFileGuardTest : public testing::FsToolsFixture {};

TEST_F(RegularFileGuardTest, ARegularFileComesBackInBlockingModeUnlessAskedOtherwise) {
  testing::write_file(root() / "plain.txt", "text");
  auto workspace = provider_.workspace(std::nullopt).value();
  auto blocking = workspace->open_at("plain.txt", O_RDONLY);
  ASSERT_TRUE(blocking) << blocking.error().message;
  EXPECT_EQ(::fcntl(blocking->get(), F_GETFL) & O_NONBLOCK, 0);
  auto nonblocking = workspace->open_at("plain.txt", O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(nonblocking);
  EXPECT_NE(::fcntl(nonblocking->get(), F_GETFL) & O_NONBLOCK, 0);
}

TEST_F(RegularFileGuardTest, ADirectoryOpenedForReadingIsNamedAsOne) {
  std::filesystem::create_directory(root() / "dir");
  auto workspace = provider_.workspace(std::nullopt).value();
  auto fd = workspace->open_at("dir", O_RDONLY);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, "is_directory");
  EXPECT_TRUE(workspace->open_at("dir", O_RDONLY | O_DIRECTORY));
}

TEST_F(RegularFileGuardTest, ALinkToAHostDeviceNeverResolves) {
  std::filesystem::create_symlink("/dev/zero", root() / "zero");
  std::filesystem::create_symlink("../../../../../../../../dev/zero", root() / "zero_relative");
  auto workspace = provider_.workspace(std::nullopt).value();
  for (const char* name : {"zero", "zero_relative"}) {
    auto fd = workspace->open_at(name, O_RDONLY);
    ASSERT_FALSE(fd) << name;
    EXPECT_EQ(fd.error().code, "outside_workspace") << name;
  }
}

}  // namespace
}  // namespace benchtop
