// The recorder and restore together over a real workspace and a real SQLite store: each kind of
// change recorded around a "call", then put back byte for byte.
#include "server/checkpoints/checkpoint_restore.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "server/checkpoints/checkpoint_recorder.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "server/workspace/workspace.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using testing::permission_bits;
using testing::read_file;
using testing::TempDir;
using testing::write_file;
namespace fs = std::filesystem;

constexpr const char* kProject = "11111111-1111-4111-8111-111111111111";

class CheckpointRestoreTest : public ::testing::Test {
 protected:
  CheckpointRestoreTest() {
    fs::create_directories(root());
    database_ = std::move(Database::open(dir_ / "benchtop.db", benchtop_migrations())).value();
    repositories_ = make_sqlite_repositories(*database_);
    EXPECT_TRUE(repositories_.projects->insert_managed(kProject, "p", "", nullptr).ok());
    workspace_ = *Workspace::open(root());
    recorder_ = std::make_unique<CheckpointRecorder>(*repositories_.checkpoints,
                                                     dir_ / "checkpoints", CheckpointOptions{});
  }
  ~CheckpointRestoreTest() override {
    recorder_.reset();
    repositories_ = {};
  }

  fs::path root() const { return dir_ / "ws"; }

  // Runs `change` as a recorded call over `scope`; returns its checkpoint id (0: none recorded).
  template <typename Change>
  int64_t recorded(const std::string& tool, Change change, std::vector<std::string> scope = {""}) {
    auto pending = recorder_->begin(kProject, workspace_, std::move(scope));
    EXPECT_TRUE(pending.has_value());
    change();
    auto record = recorder_->finish(std::move(*pending), tool, "{}");
    return record ? record->id : 0;
  }

  Result<RestorePlan> plan(int64_t checkpoint, const std::vector<std::string>& only = {}) {
    BlobStore blobs = recorder_->blobs(kProject);
    return plan_restore(*repositories_.checkpoints, blobs, *workspace_, kProject, checkpoint, only,
                        {});
  }

  RestoreOutcome restore(int64_t checkpoint, const std::vector<std::string>& only = {}) {
    auto planned = plan(checkpoint, only);
    EXPECT_TRUE(planned.ok()) << planned.error().message;
    if (!planned) return {};
    return apply_restore(*workspace_, recorder_->blobs(kProject), *planned);
  }

  TempDir dir_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;
  std::shared_ptr<Workspace> workspace_;
  std::unique_ptr<CheckpointRecorder> recorder_;
};

const std::string kBinary("#!/bin/sh\n\0\xff\xfe end\r\n", 18);

TEST_F(CheckpointRestoreTest, AnEditIsPutBackByteForByte) {
  write_file(root() / "src/app.sh", kBinary);
  ::chmod((root() / "src/app.sh").c_str(), 0750);
  const int64_t id =
      recorded("fs_edit", [&] { write_file(root() / "src/app.sh", "edited"); }, {"src/app.sh"});
  ASSERT_GT(id, 0);
  auto outcome = restore(id);
  EXPECT_TRUE(outcome.failed.empty());
  EXPECT_EQ(outcome.restored, std::vector<std::string>{"src/app.sh"});
  EXPECT_EQ(read_file(root() / "src/app.sh"), kBinary);
  EXPECT_EQ(permission_bits(root() / "src/app.sh"), 0750u);
}

TEST_F(CheckpointRestoreTest, ANewFileAndItsNewDirectoryGoAgain) {
  const int64_t id = recorded("fs_write", [&] { write_file(root() / "notes/hello.txt", "hi"); });
  ASSERT_GT(id, 0);
  auto outcome = restore(id);
  EXPECT_TRUE(outcome.failed.empty()) << outcome.failed[0].second;
  EXPECT_EQ(outcome.restored, (std::vector<std::string>{"notes", "notes/hello.txt"}));
  EXPECT_FALSE(fs::exists(root() / "notes"));
}

TEST_F(CheckpointRestoreTest, ADeletedTreeComesBackWithItsLinksAndEmptyDirectories) {
  write_file(root() / "src/a.py", "a = 1\n");
  write_file(root() / "src/pkg/b.py", kBinary);
  fs::create_directories(root() / "src/empty");
  fs::create_symlink("a.py", root() / "src/link.py");
  write_file(root() / "README", "r\n");
  const int64_t id = recorded("shell_exec", [&] { fs::remove_all(root() / "src"); });
  ASSERT_GT(id, 0);
  auto outcome = restore(id);
  EXPECT_TRUE(outcome.failed.empty());
  EXPECT_EQ(read_file(root() / "src/a.py"), "a = 1\n");
  EXPECT_EQ(read_file(root() / "src/pkg/b.py"), kBinary);
  EXPECT_TRUE(fs::is_directory(root() / "src/empty"));
  EXPECT_EQ(fs::read_symlink(root() / "src/link.py"), "a.py");
  EXPECT_EQ(read_file(root() / "README"), "r\n");
}

TEST_F(CheckpointRestoreTest, RestoringAnEarlierCallUndoesTheLaterOnesToo) {
  write_file(root() / "a.txt", "v1");
  const int64_t first = recorded("fs_write", [&] { write_file(root() / "a.txt", "v2"); });
  const int64_t second = recorded("fs_write", [&] { write_file(root() / "a.txt", "v3-longer"); });
  const int64_t third = recorded("fs_write", [&] { write_file(root() / "b.txt", "b"); });
  ASSERT_GT(first, 0);
  ASSERT_GT(second, first);
  ASSERT_GT(third, second);
  auto planned = plan(second);
  ASSERT_TRUE(planned.ok());
  EXPECT_EQ(planned->calls, 2u);
  restore(second);
  EXPECT_EQ(read_file(root() / "a.txt"), "v2");
  EXPECT_FALSE(fs::exists(root() / "b.txt"));
  restore(first);
  EXPECT_EQ(read_file(root() / "a.txt"), "v1");
}

TEST_F(CheckpointRestoreTest, PathsLimitTheRestoreAndOtherFilesAreLeftAlone) {
  write_file(root() / "a.txt", "a1");
  write_file(root() / "b.txt", "b1");
  const int64_t id = recorded("shell_exec", [&] {
    write_file(root() / "a.txt", "a2");
    write_file(root() / "b.txt", "b2");
  });
  write_file(root() / "untracked.txt", "made outside any call");
  restore(id, {"b.txt"});
  EXPECT_EQ(read_file(root() / "a.txt"), "a2");
  EXPECT_EQ(read_file(root() / "b.txt"), "b1");
  EXPECT_EQ(read_file(root() / "untracked.txt"), "made outside any call");
}

TEST_F(CheckpointRestoreTest, ARestoreIsRecordedAndCanItselfBeUndone) {
  write_file(root() / "a.txt", "old");
  const int64_t edit = recorded("fs_write", [&] { write_file(root() / "a.txt", "new"); });
  const int64_t undo = recorded("checkpoint_restore", [&] { restore(edit); });
  ASSERT_GT(undo, edit);
  EXPECT_EQ(read_file(root() / "a.txt"), "old");
  restore(undo);
  EXPECT_EQ(read_file(root() / "a.txt"), "new");
}

TEST_F(CheckpointRestoreTest, NothingChangedRecordsNothing) {
  write_file(root() / "a.txt", "same");
  EXPECT_EQ(recorded("shell_exec", [] {}), 0);
  EXPECT_EQ(*repositories_.checkpoints->count(kProject), 0u);
}

TEST_F(CheckpointRestoreTest, UnknownCheckpointsAndUnkeptContentAreRefusedBeforeAnyChange) {
  auto missing = plan(12345);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");
  EXPECT_NE(missing.error().message.find("checkpoint_list"), std::string::npos);

  write_file(root() / "a.txt", "a");
  write_file(root() / "b.txt", "b");
  const int64_t id = recorded("shell_exec", [&] {
    write_file(root() / "a.txt", "A");
    write_file(root() / "b.txt", "B");
  });
  // The content the restore needs has gone from the store (dropped, or deleted by hand).
  fs::remove_all(dir_ / "checkpoints" / kProject);
  auto refused = plan(id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "not_kept");
  EXPECT_NE(refused.error().message.find("a.txt, b.txt"), std::string::npos);
  EXPECT_EQ(read_file(root() / "a.txt"), "A");
  EXPECT_EQ(read_file(root() / "b.txt"), "B");
}

TEST_F(CheckpointRestoreTest, ADirectoryHoldingUnrecordedFilesIsLeftAndSaysSo) {
  const int64_t id = recorded("shell_exec", [&] {
    write_file(root() / "web/app.js", "x");
    write_file(root() / "web/node_modules/dep/index.js", "dep");  // never recorded
  });
  auto outcome = restore(id);
  EXPECT_FALSE(fs::exists(root() / "web/app.js"));
  ASSERT_EQ(outcome.failed.size(), 1u);
  EXPECT_EQ(outcome.failed[0].first, "web");
  EXPECT_NE(outcome.failed[0].second.find("left in place"), std::string::npos);
  EXPECT_TRUE(fs::exists(root() / "web/node_modules/dep/index.js"));
}

TEST_F(CheckpointRestoreTest, ARestoreNeverWritesThroughALinkPlantedSince) {
  write_file(dir_ / "outside/keep.txt", "outside\n");
  write_file(root() / "src/a.txt", "a");
  write_file(root() / "lib/x/b.txt", "b");
  const int64_t id = recorded("shell_exec", [&] {
    fs::remove_all(root() / "src");
    fs::remove(root() / "lib/x/b.txt");
  });
  // Code in the project puts links leading out where the restore will write.
  fs::create_symlink(dir_ / "outside", root() / "src");
  fs::remove(root() / "lib/x");
  fs::create_symlink(dir_ / "outside", root() / "lib/x");
  auto outcome = restore(id);
  // `src` was recorded as a directory: the link in its place is removed, never followed.
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(root() / "src")));
  EXPECT_EQ(read_file(root() / "src/a.txt"), "a");
  // `lib/x` was not: the guard refuses the path through the link, and says so.
  ASSERT_EQ(outcome.failed.size(), 1u);
  EXPECT_EQ(outcome.failed[0].first, "lib/x/b.txt");
  EXPECT_FALSE(fs::exists(dir_ / "outside/a.txt"));
  EXPECT_FALSE(fs::exists(dir_ / "outside/b.txt"));
  EXPECT_EQ(read_file(dir_ / "outside/keep.txt"), "outside\n");
}

class SmallCheckpointStoreTest : public CheckpointRestoreTest {
 protected:
  SmallCheckpointStoreTest() {
    CheckpointOptions small;
    small.keep = 3;
    small.collection_grace = std::chrono::seconds(0);
    recorder_ = std::make_unique<CheckpointRecorder>(*repositories_.checkpoints,
                                                     dir_ / "checkpoints", small);
  }
};

TEST_F(SmallCheckpointStoreTest, RetentionDropsTheOldestAndTheirContents) {
  for (int i = 0; i < 6; ++i) {
    const std::string before = "version " + std::to_string(i);
    write_file(root() / "a.txt", before);
    recorded("fs_write", [&] { write_file(root() / "a.txt", before + " edited"); });
  }
  EXPECT_EQ(*repositories_.checkpoints->count(kProject), 3u);
  // The contents of dropped checkpoints went too; those still needed stayed.
  EXPECT_FALSE(recorder_->blobs(kProject).contains(sha256_hex("version 0")));
  EXPECT_TRUE(recorder_->blobs(kProject).contains(sha256_hex("version 5")));
  EXPECT_TRUE(recorder_->blobs(kProject).contains(sha256_hex("version 5 edited")));
}

}  // namespace
}  // namespace benchtop
