#include "server/workspace/changes/file_watcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>

#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using benchtop::testing::TempDir;
using benchtop::testing::write_file;

// Counts calls per watched name; tests wait on it (the deadline only turns a hang into a failure).
class Calls {
 public:
  FileWatcher::Callback counter(const std::string& name) {
    return [this, name] {
      std::lock_guard lock(mutex_);
      ++counts_[name];
      changed_.notify_all();
    };
  }
  bool wait_for(const std::string& name, int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return counts_[name] >= count; });
  }
  int count(const std::string& name) {
    std::lock_guard lock(mutex_);
    return counts_[name];
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, int> counts_;
};

class FileWatcherTest : public ::testing::Test {
 protected:
  void watch(const std::string& name) {
    ASSERT_TRUE(directory_);
    ASSERT_TRUE(watcher_.watch(directory_.get(), name, calls_.counter(name)));
  }
  // Writes `name` the way tools and editors do: a temporary file renamed over it.
  void replace(const std::string& name, const std::string& content) {
    write_file(dir_ / ".tmp", content);
    std::filesystem::rename(dir_ / ".tmp", dir_ / name);
  }

  TempDir dir_;
  UniqueFd directory_{::open(dir_.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
  Calls calls_;
  FileWatcher watcher_;
};

TEST_F(FileWatcherTest, CreationReplacementWritesAndDeletionOfTheWatchedEntryAreReported) {
  watch("a.txt");
  write_file(dir_ / "a.txt", "created");
  ASSERT_TRUE(calls_.wait_for("a.txt", 1));
  // A write may be reported once or twice (creation, then the close after writing); each step
  // below waits for at least one more call.
  int seen = calls_.count("a.txt");
  replace("a.txt", "replaced");  // the watch is on the directory, so it survives the new inode
  ASSERT_TRUE(calls_.wait_for("a.txt", seen + 1));
  seen = calls_.count("a.txt");
  std::FILE* appended = std::fopen((dir_ / "a.txt").c_str(), "a");
  ASSERT_NE(appended, nullptr);
  std::fputs("more\n", appended);
  std::fclose(appended);
  ASSERT_TRUE(calls_.wait_for("a.txt", seen + 1));
  seen = calls_.count("a.txt");
  std::filesystem::remove(dir_ / "a.txt");
  ASSERT_TRUE(calls_.wait_for("a.txt", seen + 1));
}

TEST_F(FileWatcherTest, OtherEntriesOfTheDirectoryAreNotReported) {
  watch("a.txt");
  watch("c.txt");
  write_file(dir_ / "b.txt", "not watched");
  write_file(dir_ / "c.txt", "watched");
  ASSERT_TRUE(calls_.wait_for("c.txt", 1));
  // Events arrive in order: had b.txt's reached a callback, it would have run by now.
  EXPECT_EQ(calls_.count("a.txt"), 0);
}

TEST_F(FileWatcherTest, AWatchOnSomethingThatIsNotADirectoryIsAnError) {
  write_file(dir_ / "file", "x");
  UniqueFd file(::open((dir_ / "file").c_str(), O_PATH | O_CLOEXEC));
  EXPECT_FALSE(watcher_.watch(file.get(), "x", [] {}));
  EXPECT_FALSE(watcher_.watch(-1, "x", [] {}));
}

}  // namespace
}  // namespace benchtop
