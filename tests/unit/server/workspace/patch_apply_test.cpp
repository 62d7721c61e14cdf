#include "server/workspace/patch/patch_apply.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "tests/support/temp_dir.h"

namespace benchtop::patch {
namespace {

namespace fs = std::filesystem;
using testing::permission_bits;
using testing::read_file;
using testing::write_file;

bool exists_no_follow(const fs::path& path) {
  return fs::exists(fs::symlink_status(path));
}

class PatchApplyTest : public ::testing::Test {
 protected:
  PatchApplyTest() {
    auto opened = Workspace::open(dir_.path());
    if (!opened) throw std::runtime_error(opened.error().message);
    workspace_ = std::move(opened).value();
  }
  fs::path root() const { return dir_.path(); }

  PatchPlan plan(const std::string& text) {
    auto patch = parse_patch(text);
    EXPECT_TRUE(patch.ok()) << (patch.ok() ? "" : patch.error().message);
    if (!patch.ok()) return {};
    return plan_patch(*workspace_, *patch);
  }

  testing::TempDir dir_;
  std::shared_ptr<Workspace> workspace_;
};

constexpr const char* kEverything =
    "*** Begin Patch\n"
    "*** Add File: made/deep/new.txt\n"
    "+new\n"
    "*** Update File: a.txt\n"
    "@@\n"
    "-a\n"
    "+A\n"
    "*** Delete File: d.txt\n"
    "*** Update File: e.txt\n"
    "*** Move to: moved/e.txt\n"
    "@@\n"
    "-e\n"
    "+E\n"
    "*** Update File: z.txt\n"
    "@@\n"
    "-z\n"
    "+Z\n"
    "*** End Patch\n";

TEST_F(PatchApplyTest, WritesEverythingInOrder) {
  write_file(root() / "a.txt", "a\n");
  write_file(root() / "d.txt", "d\n");
  write_file(root() / "e.txt", "e\n");
  write_file(root() / "z.txt", "z\n");
  ::chmod((root() / "e.txt").c_str(), 0750);
  PatchPlan planned = plan(kEverything);
  ASSERT_TRUE(planned.ok()) << planned.failures[0].message;
  ASSERT_EQ(planned.files.size(), 5u);
  auto status = commit_patch(*workspace_, planned);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(read_file(root() / "made/deep/new.txt"), "new\n");
  EXPECT_EQ(read_file(root() / "a.txt"), "A\n");
  EXPECT_FALSE(exists_no_follow(root() / "d.txt"));
  EXPECT_FALSE(exists_no_follow(root() / "e.txt"));
  EXPECT_EQ(read_file(root() / "moved/e.txt"), "E\n");
  EXPECT_EQ(permission_bits(root() / "moved/e.txt"), 0750u);
  EXPECT_EQ(read_file(root() / "z.txt"), "Z\n");
}

// A file changed between reading and writing makes the last step fail: every step before it is
// undone, so the workspace is as it was (apart from the other writer's change).
TEST_F(PatchApplyTest, AFailedWriteMidwayPutsEverythingBack) {
  write_file(root() / "a.txt", "a\n");
  write_file(root() / "d.txt", "d\n");
  write_file(root() / "e.txt", "e\n");
  write_file(root() / "z.txt", "z\n");
  ::chmod((root() / "a.txt").c_str(), 0604);
  ::chmod((root() / "d.txt").c_str(), 0640);
  ::chmod((root() / "e.txt").c_str(), 0750);
  PatchPlan planned = plan(kEverything);
  ASSERT_TRUE(planned.ok()) << planned.failures[0].message;

  write_file(root() / "z.txt", "someone else\n");
  auto status = commit_patch(*workspace_, planned);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "conflict");
  EXPECT_NE(status.error().message.find("z.txt was changed by someone else"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("was put back: no file is changed"), std::string::npos)
      << status.error().message;

  EXPECT_FALSE(exists_no_follow(root() / "made"));
  EXPECT_EQ(read_file(root() / "a.txt"), "a\n");
  EXPECT_EQ(permission_bits(root() / "a.txt"), 0604u);
  EXPECT_EQ(read_file(root() / "d.txt"), "d\n");
  EXPECT_EQ(permission_bits(root() / "d.txt"), 0640u);
  EXPECT_EQ(read_file(root() / "e.txt"), "e\n");
  EXPECT_EQ(permission_bits(root() / "e.txt"), 0750u);
  EXPECT_FALSE(exists_no_follow(root() / "moved"));
  EXPECT_EQ(read_file(root() / "z.txt"), "someone else\n");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root())) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.txt", "d.txt", "e.txt", "z.txt"}));
}

TEST_F(PatchApplyTest, ADeletionOrMoveOfAFileChangedSinceReadingIsUndone) {
  write_file(root() / "keep.txt", "k\n");
  write_file(root() / "gone.txt", "g\n");
  PatchPlan planned = plan(
      "*** Begin Patch\n*** Update File: keep.txt\n@@\n-k\n+K\n"
      "*** Delete File: gone.txt\n*** End Patch\n");
  ASSERT_TRUE(planned.ok());
  write_file(root() / "gone.txt", "rewritten meanwhile\n");
  auto status = commit_patch(*workspace_, planned);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "conflict");
  EXPECT_EQ(read_file(root() / "keep.txt"), "k\n");
  EXPECT_EQ(read_file(root() / "gone.txt"), "rewritten meanwhile\n");
}

TEST_F(PatchApplyTest, PlanningReportsEverySectionAndWritesNothing) {
  write_file(root() / "a.txt", "a\n");
  write_file(root() / "exists.txt", "x\n");
  PatchPlan planned = plan(
      "*** Begin Patch\n"
      "*** Update File: a.txt\n@@\n-nope\n+x\n"
      "*** Add File: exists.txt\n+y\n"
      "*** Delete File: missing.txt\n"
      "*** Update File: ../escape.txt\n@@\n-a\n+b\n"
      "*** End Patch\n");
  ASSERT_EQ(planned.failures.size(), 4u);
  EXPECT_TRUE(planned.files.empty());
  EXPECT_EQ(planned.failures[0].path, "a.txt");
  EXPECT_EQ(planned.failures[0].hunk, 1u);
  EXPECT_EQ(planned.failures[0].patch_line, 3u);
  EXPECT_EQ(planned.failures[0].reason, Failure::kContextNotFound);
  EXPECT_EQ(planned.failures[1].reason, Failure::kFileExists);
  EXPECT_EQ(planned.failures[1].hunk, 0u);
  EXPECT_EQ(planned.failures[2].reason, Failure::kFileMissing);
  EXPECT_EQ(planned.failures[3].reason, Failure::kRefused);
  EXPECT_EQ(read_file(root() / "a.txt"), "a\n");
  EXPECT_EQ(read_file(root() / "exists.txt"), "x\n");
}

TEST_F(PatchApplyTest, LimitsAreEnforcedBeforeReading) {
  write_file(root() / "a.txt", "a\n");
  write_file(root() / "b.txt", "b\n");
  auto patch = parse_patch(
      "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n"
      "*** Update File: b.txt\n@@\n-b\n+B\n*** End Patch\n");
  ASSERT_TRUE(patch.ok());
  PatchLimits one_file;
  one_file.max_files = 1;
  EXPECT_NE(plan_patch(*workspace_, *patch, one_file).failures.at(0).message.find("at most 1"),
            std::string::npos);
  PatchLimits tiny;
  tiny.max_file_bytes = 1;
  EXPECT_NE(plan_patch(*workspace_, *patch, tiny).failures.at(0).message.find("larger than"),
            std::string::npos);
  PatchLimits small_total;
  small_total.max_total_bytes = 3;
  const PatchPlan total = plan_patch(*workspace_, *patch, small_total);
  ASSERT_EQ(total.failures.size(), 1u);
  EXPECT_EQ(total.failures[0].path, "b.txt");
  EXPECT_NE(total.failures[0].message.find("together exceed"), std::string::npos);
}

}  // namespace
}  // namespace benchtop::patch
