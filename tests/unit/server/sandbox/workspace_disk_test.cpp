// A managed workspace's disk cap: a loop-mounted ext4 image per workspace when running as root.
// The tests write past the cap through the kernel and check what the host file system and the
// directory look like afterwards; without root (or loop devices) they say so and skip.
#include "server/sandbox/workspace_disk.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "common/unique_fd.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kMiB = 1024 * 1024;

// Writes up to `limit` bytes of zeros into `path`, flushing to disk; returns how many were
// written and the errno that stopped it (0 when all were written).
std::pair<int64_t, int> fill(const fs::path& path, int64_t limit) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return {0, errno};
  const std::string block(kMiB, '\0');
  int64_t written = 0;
  while (written < limit) {
    const ssize_t n = ::write(fd.get(), block.data(), block.size());
    if (n < 0) return {written, errno};
    written += n;
  }
  if (::fsync(fd.get()) != 0) return {written, errno};
  return {written, 0};
}

std::string mount_options_of(const fs::path& mount_point) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point, options;
    fields >> id >> parent >> device >> root >> point >> options;
    if (point == mount_point.string()) return options;
  }
  return "";
}

TEST(UnlimitedDisk, SaysWhyNothingIsEnforced) {
  auto disk = make_workspace_disk("/nonexistent", 0);
  EXPECT_NE(disk->describe().find("--workspace-disk-mb 0"), std::string::npos) << disk->describe();
  const DiskReport report = disk->report("/tmp");
  EXPECT_FALSE(report.enforced);
  EXPECT_EQ(report.limit_bytes, 0);
  EXPECT_NE(report.note.find("not limited"), std::string::npos) << report.note;
}

TEST(ImageDiskOpen, RefusesAnImageTooSmallForAFileSystem) {
  ImageDisk::Options options;
  options.images_dir = "/nonexistent";
  options.size_bytes = 4 * kMiB;
  auto disk = ImageDisk::open(options);
  ASSERT_FALSE(disk.ok());
  EXPECT_EQ(disk.error().code, "invalid_argument");
}

class ImageDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directory(temp_ / "workspaces");
    disk_ = open_disk();
    if (!disk_) GTEST_SKIP() << skip_reason_;
  }

  std::unique_ptr<ImageDisk> open_disk() {
    ImageDisk::Options options;
    options.images_dir = temp_ / "disks";
    options.size_bytes = 32 * kMiB;
    auto disk = ImageDisk::open(options);
    if (!disk) {
      skip_reason_ = disk.error().message;
      return nullptr;
    }
    return std::move(disk).value();
  }

  fs::path new_workspace(const std::string& id) {
    const fs::path directory = temp_ / "workspaces" / id;
    fs::create_directory(directory);
    return directory;
  }

  TempDir temp_;
  std::unique_ptr<ImageDisk> disk_;
  std::string skip_reason_;
};

TEST_F(ImageDiskTest, AnEmptyWorkspaceBecomesACappedFileSystemOfItsOwn) {
  const fs::path workspace = new_workspace("p1");
  ASSERT_TRUE(disk_->attach("p1", workspace).ok());
  EXPECT_TRUE(is_mount_root(workspace));
  EXPECT_TRUE(fs::is_empty(workspace)) << "no lost+found or other file-system artefact shows";
  const std::string options = mount_options_of(workspace);
  EXPECT_NE(options.find("nosuid"), std::string::npos) << options;
  EXPECT_NE(options.find("nodev"), std::string::npos) << options;

  const DiskReport before = disk_->report(workspace);
  EXPECT_TRUE(before.enforced) << before.note;
  EXPECT_GT(before.limit_bytes, 24 * kMiB);
  EXPECT_LE(before.limit_bytes, 32 * kMiB);

  // Writing 100 MiB stops with ENOSPC inside the 32 MiB, and the image on the host grows no
  // further than its size.
  const auto [written, error] = fill(workspace / "big", 100 * kMiB);
  EXPECT_EQ(error, ENOSPC);
  EXPECT_LE(written, 32 * kMiB);
  struct stat image {};
  ASSERT_EQ(::stat(disk_->image_of("p1").c_str(), &image), 0);
  EXPECT_LE(image.st_blocks * 512, 33 * kMiB) << "host space the image takes";
  const DiskReport full = disk_->report(workspace);
  ASSERT_TRUE(full.used_bytes.has_value());
  EXPECT_GT(*full.used_bytes, *before.used_bytes + 16 * kMiB);

  // Freed space is usable again.
  fs::remove(workspace / "big");
  EXPECT_EQ(fill(workspace / "small", 4 * kMiB).second, 0);
}

TEST_F(ImageDiskTest, AttachIsIdempotentAndARestartFindsTheFilesAgain) {
  const fs::path workspace = new_workspace("p2");
  ASSERT_TRUE(disk_->attach("p2", workspace).ok());
  write_file(workspace / "kept.txt", "still here\n");
  ASSERT_TRUE(disk_->attach("p2", workspace).ok());
  EXPECT_EQ(read_file(workspace / "kept.txt"), "still here\n");

  // After a reboot nothing is mounted: the directory is bare until a server attaches it again.
  ASSERT_EQ(::umount2(workspace.c_str(), 0), 0);
  EXPECT_FALSE(fs::exists(workspace / "kept.txt"));
  auto restarted = open_disk();
  ASSERT_TRUE(restarted);
  ASSERT_TRUE(restarted->attach("p2", workspace).ok());
  EXPECT_EQ(read_file(workspace / "kept.txt"), "still here\n");
}

TEST_F(ImageDiskTest, DiscardUnmountsAndDeletesTheImage) {
  const fs::path workspace = new_workspace("p3");
  ASSERT_TRUE(disk_->attach("p3", workspace).ok());
  write_file(workspace / "a.txt", "a\n");
  ASSERT_TRUE(disk_->discard("p3", workspace).ok());
  EXPECT_FALSE(is_mount_root(workspace));
  EXPECT_FALSE(fs::exists(disk_->image_of("p3")));
  EXPECT_TRUE(fs::is_empty(workspace));
  EXPECT_TRUE(disk_->discard("p3", workspace).ok()) << "discarding twice is harmless";
}

TEST_F(ImageDiskTest, AWorkspaceWithFilesFromBeforeTheCapKeepsThemAndIsReportedUnlimited) {
  const fs::path workspace = new_workspace("p4");
  write_file(workspace / "old.txt", "old\n");
  ASSERT_TRUE(disk_->attach("p4", workspace).ok());
  EXPECT_FALSE(is_mount_root(workspace));
  EXPECT_EQ(read_file(workspace / "old.txt"), "old\n");
  const DiskReport report = disk_->report(workspace);
  EXPECT_FALSE(report.enforced);
  EXPECT_NE(report.note.find("not limited"), std::string::npos) << report.note;
}

TEST_F(ImageDiskTest, FilesWrittenBesideAnUnmountedImageAreNeverHidden) {
  const fs::path workspace = new_workspace("p5");
  ASSERT_TRUE(disk_->attach("p5", workspace).ok());
  ASSERT_EQ(::umount2(workspace.c_str(), 0), 0);
  write_file(workspace / "stray.txt", "written while unmounted\n");
  auto attached = disk_->attach("p5", workspace);
  ASSERT_FALSE(attached.ok());
  EXPECT_NE(attached.error().message.find("outside its disk image"), std::string::npos)
      << attached.error().message;
  EXPECT_FALSE(is_mount_root(workspace));
  EXPECT_EQ(read_file(workspace / "stray.txt"), "written while unmounted\n");
}

TEST_F(ImageDiskTest, AnImageThatIsNotARegularFileIsRefused) {
  const fs::path workspace = new_workspace("p6");
  fs::create_directories(temp_ / "disks");
  fs::create_symlink("/etc/passwd", disk_->image_of("p6"));
  auto attached = disk_->attach("p6", workspace);
  ASSERT_FALSE(attached.ok());
  EXPECT_FALSE(is_mount_root(workspace));
}

}  // namespace
}  // namespace benchtop::testing
