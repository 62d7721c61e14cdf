#include "server/checkpoints/tree_scan.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/checkpoints/blob_store.h"
#include "server/workspace/workspace.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using testing::TempDir;
using testing::write_file;
namespace fs = std::filesystem;

class TreeScanTest : public ::testing::Test {
 protected:
  TreeScanTest() : blobs_(dir_ / "store") {
    fs::create_directories(root());
    workspace_ = *Workspace::open(root());
  }

  fs::path root() const { return dir_ / "ws"; }
  ScanResult scan(const std::vector<std::string>& scope = {""}, const TreeState& known = {},
                  ScanLimits limits = {}) {
    return scan_tree(*workspace_, scope, known, blobs_, limits);
  }

  TempDir dir_;
  BlobStore blobs_;
  std::shared_ptr<Workspace> workspace_;
};

TEST_F(TreeScanTest, ListsFilesDirectoriesAndSymlinksWithTheirContentKept) {
  write_file(root() / "src/app.py", "print(1)\n");
  ::chmod((root() / "src/app.py").c_str(), 0755);
  fs::create_directories(root() / "empty");
  fs::create_symlink("src/app.py", root() / "link");
  auto result = scan();
  ASSERT_TRUE(result.complete) << result.incomplete_reason;
  std::vector<std::string> paths;
  for (const auto& [path, entry] : result.entries) paths.push_back(path);
  EXPECT_EQ(paths, (std::vector<std::string>{"empty", "link", "src", "src/app.py"}));
  const FileVersion& app = result.entries["src/app.py"].version;
  EXPECT_EQ(app.kind, FileVersion::Kind::kFile);
  EXPECT_EQ(app.mode, 0755u);
  EXPECT_EQ(app.size, 9u);
  EXPECT_EQ(*blobs_.get(app.blob), "print(1)\n");
  const FileVersion& link = result.entries["link"].version;
  EXPECT_EQ(link.kind, FileVersion::Kind::kSymlink);
  EXPECT_EQ(*blobs_.get(link.blob), "src/app.py");
  EXPECT_EQ(result.entries["empty"].version.kind, FileVersion::Kind::kDirectory);
}

TEST_F(TreeScanTest, NeverReadsThroughALinkLeadingOutside) {
  write_file(dir_ / "outside/secret.txt", "top secret\n");
  fs::create_symlink(dir_ / "outside", root() / "escape");
  fs::create_symlink(dir_ / "outside/secret.txt", root() / "secret");
  auto result = scan();
  ASSERT_TRUE(result.complete);
  EXPECT_EQ(result.entries.size(), 2u);  // the two links, nothing beneath `escape`
  EXPECT_EQ(result.entries["secret"].version.kind, FileVersion::Kind::kSymlink);
  EXPECT_FALSE(blobs_.contains(sha256_hex("top secret\n")));
  // Scoped to a path through the link, the guard refuses it: nothing is recorded.
  auto through = scan({"escape/secret.txt"});
  EXPECT_TRUE(through.entries.empty());
  EXPECT_FALSE(blobs_.contains(sha256_hex("top secret\n")));
}

TEST_F(TreeScanTest, LeavesOutGitDependenciesSpecialFilesAndWritesInProgress) {
  write_file(root() / ".git/HEAD", "ref: refs/heads/main\n");
  write_file(root() / "web/node_modules/x/index.js", "x\n");
  write_file(root() / ".venv/bin/python", "py\n");
  write_file(root() / "pkg/__pycache__/m.pyc", "c\n");
  write_file(root() / ".a.txt.benchtop-0123456789abcdef.tmp", "partial");
  ASSERT_EQ(::mkfifo((root() / "pipe").c_str(), 0600), 0);  // a read would block forever
  write_file(root() / "kept.txt", "k\n");
  auto result = scan();
  ASSERT_TRUE(result.complete);
  std::vector<std::string> paths;
  for (const auto& [path, entry] : result.entries) paths.push_back(path);
  EXPECT_EQ(paths, (std::vector<std::string>{"kept.txt", "pkg", "web"}));
  EXPECT_TRUE(excluded_from_checkpoints(".git/config"));
  EXPECT_TRUE(excluded_from_checkpoints("a/node_modules"));
  EXPECT_FALSE(excluded_from_checkpoints("src/git/node.js"));
  EXPECT_TRUE(scan({".git/HEAD"}).entries.empty());
}

TEST_F(TreeScanTest, AScopedScanSeesOnlyItsPaths) {
  write_file(root() / "a/one.txt", "1");
  write_file(root() / "a/two.txt", "2");
  write_file(root() / "b.txt", "b");
  auto result = scan({"a", "missing/file.txt"});
  std::vector<std::string> paths;
  for (const auto& [path, entry] : result.entries) paths.push_back(path);
  EXPECT_EQ(paths, (std::vector<std::string>{"a", "a/one.txt", "a/two.txt"}));
}

TEST_F(TreeScanTest, LargeFilesAreListedWithoutTheirContent) {
  write_file(root() / "big.bin", std::string(4096, 'x'));
  ScanLimits limits;
  limits.max_file_bytes = 1024;
  auto result = scan({""}, {}, limits);
  const FileVersion& big = result.entries["big.bin"].version;
  EXPECT_EQ(big.size, 4096u);
  EXPECT_TRUE(big.blob.empty());
  EXPECT_EQ(blobs_.total_bytes(), 0u);
}

TEST_F(TreeScanTest, AWorkspaceOverTheLimitsGivesAnIncompleteScan) {
  for (int i = 0; i < 20; ++i) write_file(root() / ("f" + std::to_string(i)), "x");
  ScanLimits few;
  few.max_entries = 10;
  auto crowded = scan({""}, {}, few);
  EXPECT_FALSE(crowded.complete);
  EXPECT_NE(crowded.incomplete_reason.find("more than 10"), std::string::npos);

  ScanLimits late;
  late.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto timed_out = scan({""}, {}, late);
  EXPECT_FALSE(timed_out.complete);
  EXPECT_NE(timed_out.incomplete_reason.find("too long"), std::string::npos);

  fs::path deep = root();
  for (int i = 0; i < 8; ++i) deep /= "d";
  fs::create_directories(deep);
  ScanLimits shallow;
  shallow.max_depth = 4;
  EXPECT_FALSE(scan({""}, {}, shallow).complete);
}

TEST_F(TreeScanTest, AnUnchangedFileIsNotReadAgain) {
  write_file(root() / "a.txt", "first");
  ScanLimits trusting;
  trusting.racy_window = std::chrono::milliseconds(-60'000);  // nothing counts as racy
  auto before = scan({""}, {}, trusting);
  // Same inode, size and times, different bytes: only a scan that trusts its cache misses it.
  TreeState known = before.entries;
  known["a.txt"].version.blob = std::string(64, '0');
  auto cached = scan({""}, known, trusting);
  EXPECT_EQ(cached.entries["a.txt"].version.blob, std::string(64, '0'));
  write_file(root() / "a.txt", "second");
  auto changed = scan({""}, known, trusting);
  EXPECT_EQ(changed.entries["a.txt"].version.blob, sha256_hex("second"));
}

TEST_F(TreeScanTest, AFileChangedJustBeforeItsScanIsReadAgainNextTime) {
  write_file(root() / "a.txt", "first");
  auto before = scan();  // the file is younger than the racy window
  ASSERT_TRUE(before.entries["a.txt"].racy);
  // Rewritten within the same clock tick, the times could be equal: racy entries are re-read.
  TreeState known = before.entries;
  known["a.txt"].version.blob = std::string(64, '0');
  auto again = scan({""}, known);
  EXPECT_EQ(again.entries["a.txt"].version.blob, sha256_hex("first"));
}

TEST_F(TreeScanTest, DiffNamesWhatWasAddedChangedAndDeleted) {
  write_file(root() / "same.txt", "s");
  write_file(root() / "edit.txt", "1");
  write_file(root() / "gone/old.txt", "o");
  auto before = scan();
  write_file(root() / "edit.txt", "2");
  fs::remove_all(root() / "gone");
  write_file(root() / "new.txt", "n");
  auto after = scan({""}, before.entries);
  auto changes = diff_trees(before.entries, after.entries);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].path, "edit.txt");
  EXPECT_EQ(changes[0].after.blob, sha256_hex("2"));
  EXPECT_EQ(changes[1].path, "gone");
  EXPECT_EQ(changes[1].after.kind, FileVersion::Kind::kAbsent);
  EXPECT_EQ(changes[2].path, "gone/old.txt");
  EXPECT_EQ(changes[3].path, "new.txt");
  EXPECT_EQ(changes[3].before.kind, FileVersion::Kind::kAbsent);
}

}  // namespace
}  // namespace benchtop
