// The disk cap seen from where it matters: commands in the sandbox (which write through an
// idmapped mount as the sandbox user) and fs_write, on a project whose workspace is a 32 MiB
// image. Needs root and loop devices; skips with the reason otherwise.
#include <sys/stat.h>

#include <algorithm>

#include "server/sandbox/workspace_disk.h"
#include "tests/support/sandbox_test_support.h"
#include "tools/exec/exec_tools.h"
#include "tools/fs/fs_tools.h"

namespace benchtop::testing {
namespace {
namespace fs = std::filesystem;

class SandboxDiskTest : public SandboxToolFixture {
 protected:
  void SetUp() override {
    SandboxToolFixture::SetUp();
    if (IsSkipped()) return;
    ImageDisk::Options options;
    options.images_dir = temp_ / "disks";
    options.size_bytes = 32 * 1024 * 1024;
    auto disk = ImageDisk::open(options);
    if (!disk) GTEST_SKIP() << "no per-workspace disk image here: " << disk.error().message;
    disk_ = std::move(disk).value();
    close_manager();
    workspace_disk_ = disk_.get();
    open_manager();
    auto project = projects_->create("capped", "");
    ASSERT_TRUE(project.ok()) << project.error().message;
    capped_ = *project;
    register_fs_tools(registry_, *projects_);
    register_exec_tools(registry_, *manager_);
  }

  std::vector<std::string> workspace_entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(capped_.root)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<ImageDisk> disk_;
  Project capped_;
};

TEST_F(SandboxDiskTest, ACommandCannotWritePastTheCap) {
  ASSERT_TRUE(is_mount_root(capped_.root));
  auto small = exec("capped", "echo hello > small.txt && cat small.txt");
  EXPECT_EQ(small.stdout_text, "hello\n") << small.stderr_text;

  auto flood = exec("capped", "dd if=/dev/zero of=flood bs=1M count=200 conv=fsync");
  EXPECT_NE(flood.exit_code, 0);
  EXPECT_NE(flood.stderr_text.find("No space left on device"), std::string::npos)
      << flood.stderr_text;
  EXPECT_LE(fs::file_size(capped_.root / "flood"), 32u * 1024 * 1024);
  // Other projects, on the host's file system, are not touched by it.
  auto other = exec("alpha", "dd if=/dev/zero of=f bs=1M count=40 conv=fsync 2>&1 && echo ok");
  EXPECT_NE(other.stdout_text.find("ok"), std::string::npos) << other.stdout_text;
}

TEST_F(SandboxDiskTest, StatusReportsTheDiskAsEnforcedOnlyWhereItIs) {
  auto capped = manager_->status(std::string("capped"));
  ASSERT_TRUE(capped.ok()) << capped.error().message;
  const auto& enforced = capped->backend_status.enforced;
  EXPECT_NE(std::find(enforced.begin(), enforced.end(), "disk"), enforced.end());
  EXPECT_GT(capped->disk_limit_bytes, 0);
  EXPECT_TRUE(capped->backend_status.usage.disk_bytes.has_value());

  // alpha was made before the cap: its disk is not limited, and the status says so.
  auto alpha = manager_->status(std::string("alpha"));
  ASSERT_TRUE(alpha.ok()) << alpha.error().message;
  const auto& alpha_enforced = alpha->backend_status.enforced;
  EXPECT_EQ(std::find(alpha_enforced.begin(), alpha_enforced.end(), "disk"), alpha_enforced.end());
  EXPECT_EQ(alpha->disk_limit_bytes, 0);
  bool said = false;
  for (const auto& note : alpha->backend_status.notes) {
    said = said || note.find("disk: not limited") != std::string::npos;
  }
  EXPECT_TRUE(said);
}

TEST_F(SandboxDiskTest, AWriteThatDoesNotFitFailsWholeAndLosesNothing) {
  write_file(capped_.root / "keep.txt", "original\n");
  (void)exec("capped", "dd if=/dev/zero of=flood bs=1M count=200 conv=fsync 2>/dev/null; true");
  const std::string megabyte(1024 * 1024, 'x');

  auto created =
      call("fs_write", {{"project", "capped"}, {"path", "new.txt"}, {"content", megabyte}});
  EXPECT_TRUE(created.is_error);
  EXPECT_NE(text_of(created).find("No space left"), std::string::npos) << text_of(created);
  auto replaced =
      call("fs_write", {{"project", "capped"}, {"path", "keep.txt"}, {"content", megabyte}});
  EXPECT_TRUE(replaced.is_error);

  EXPECT_EQ(read_file(capped_.root / "keep.txt"), "original\n");
  EXPECT_EQ(workspace_entries(), (std::vector<std::string>{"flood", "keep.txt"}))
      << "no partial file and no temporary file is left";
  // Once space is freed, the same write goes through.
  fs::remove(capped_.root / "flood");
  EXPECT_FALSE(call("fs_write", {{"project", "capped"}, {"path", "new.txt"}, {"content", megabyte}})
                   .is_error);
}

TEST_F(SandboxDiskTest, DeletingTheProjectRemovesItsImage) {
  ASSERT_TRUE(fs::exists(disk_->image_of(capped_.id)));
  (void)manager_->destroy(capped_.id);
  auto removed = projects_->remove("capped", "capped");
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_FALSE(fs::exists(disk_->image_of(capped_.id)));
  EXPECT_FALSE(fs::exists(capped_.root));
}

}  // namespace
}  // namespace benchtop::testing
