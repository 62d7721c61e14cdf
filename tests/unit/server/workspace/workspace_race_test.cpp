// A directory component is swapped for a symlink to outside the workspace, over and over, while
// other threads read and write through the guard and the fs tools. Whatever interleaving happens,
// nothing outside may be read or written.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/support/fs_tools_test_support.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;

constexpr const char* kSecret = "OUTSIDE SECRET";
constexpr int kWorkerRounds = 150;
constexpr long kMaxSwaps = 1'000'000;

class WorkspaceRaceTest : public testing::FsToolsFixture {
 protected:
  void SetUp() override {
    write_file(outside() / "data.txt", std::string(kSecret) + "\n");
    write_file(outside() / "edit.txt", std::string(kSecret) + " edit me\n");
    write_file(root() / "sub" / "data.txt", "inside\n");
    write_file(root() / "sub" / "edit.txt", "counter 0\n");
    fs::create_directory_symlink(outside(), root() / "swap_abs");
    fs::create_directory_symlink("../outside", root() / "swap_rel");
  }

  // Fails the test if a result or a read shows anything from outside.
  void expect_clean(const std::string& what, const std::string& text) {
    if (text.find(kSecret) != std::string::npos) {
      leaked_.store(true);
      ADD_FAILURE() << what << " leaked outside content: " << text;
    }
  }

  void expect_clean(const std::string& what, const ToolResult& result) {
    expect_clean(what, result.to_json().dump());
  }

  std::atomic<bool> leaked_{false};
  std::atomic<int> read_ok_{0}, read_failed_{0}, write_ok_{0}, write_failed_{0};
};

TEST_F(WorkspaceRaceTest, SwappingADirectoryForAnOutsideLinkNeverLeaks) {
  UniqueFd root_fd(::open(root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(root_fd);
  auto workspace = *provider_.workspace(std::nullopt);

  std::atomic<bool> stop{false};
  std::atomic<long> swaps{0};
  std::thread swapper([&] {
    // Each round exchanges "sub" with a link and back, so every pause leaves "sub" real.
    for (long i = 0; i < kMaxSwaps && !stop.load(std::memory_order_relaxed); ++i) {
      const char* link = (i & 1) ? "swap_abs" : "swap_rel";
      ::renameat2(root_fd.get(), "sub", root_fd.get(), link, RENAME_EXCHANGE);
      ::renameat2(root_fd.get(), "sub", root_fd.get(), link, RENAME_EXCHANGE);
      swaps.fetch_add(1, std::memory_order_relaxed);
      // Leave the workers a chance to find "sub" real too, so both outcomes are exercised.
      std::this_thread::yield();
    }
  });

  auto reader = [&] {
    for (int i = 0; i < kWorkerRounds; ++i) {
      if (auto fd = workspace->open_at("sub/data.txt", O_RDONLY)) {
        char buffer[64] = {};
        const ssize_t n = ::read(fd->get(), buffer, sizeof buffer - 1);
        expect_clean("guard read", std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0));
      }
      {
        auto r = call("fs_read", {{"path", "sub/data.txt"}});
        (r.is_error ? read_failed_ : read_ok_).fetch_add(1);
        expect_clean("fs_read", r);
      }
      expect_clean("fs_list", call("fs_list", {{"path", "sub"}, {"depth", 2}}));
      expect_clean("fs_stat", call("fs_stat", {{"path", "sub/data.txt"}}));
      expect_clean("fs_edit dry run",
                   call("fs_edit", {{"path", "sub/edit.txt"},
                                    {"dry_run", true},
                                    {"edits", {{{"old_text", "edit me"}, {"new_text", "x"}}}}}));
    }
  };
  auto writer = [&](int id) {
    const std::string me = std::to_string(id);
    for (int i = 0; i < kWorkerRounds; ++i) {
      const std::string n = std::to_string(i);
      if (auto fd =
              workspace->open_at("sub/raw" + me + ".txt", O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
        EXPECT_EQ(::write(fd->get(), "raw\n", 4), 4);
      }
      (void)workspace->open_parent("sub/made" + me + "/" + n + "/f.txt", /*create_missing=*/true);
      {
        auto r = call("fs_write", {{"path", "sub/w" + me + ".txt"}, {"content", "w " + n + "\n"}});
        (r.is_error ? write_failed_ : write_ok_).fetch_add(1);
      }
      call("fs_write",
           {{"path", "sub/log" + me + ".txt"}, {"content", n + "\n"}, {"mode", "append"}});
      call("fs_write",
           {{"path", "sub/new" + me + "/" + n + ".txt"}, {"content", "x"}, {"create_dirs", true}});
      call("fs_write", {{"path", "sub/edit.txt"}, {"content", "x edit me\n"}, {"mode", "create"}});
      expect_clean(
          "fs_edit",
          call("fs_edit", {{"path", "sub/edit.txt"},
                           {"edits", {{{"old_text", "edit me"}, {"new_text", "edit me"}}}}}));
      call("fs_move", {{"from", "sub/w" + me + ".txt"},
                       {"to", "sub/moved" + me + ".txt"},
                       {"overwrite", true}});
      call("fs_move", {{"from", "sub/moved" + me + ".txt"},
                       {"to", "sub/m/" + me + ".txt"},
                       {"overwrite", true},
                       {"create_dirs", true}});
      call("fs_delete", {{"path", "sub/new" + me}, {"recursive", true}});
      call("fs_delete", {{"path", "sub/raw" + me + ".txt"}});
      call("fs_delete", {{"path", "sub/data.txt"}});  // refused or not, the outside one must stay
    }
  };

  std::thread r1(reader), r2(reader), w1(writer, 1), w2(writer, 2);
  r1.join();
  r2.join();
  w1.join();
  w2.join();
  stop.store(true);
  swapper.join();
  EXPECT_GT(swaps.load(), 0);
  // How the race went (both outcomes are normally seen), for anyone reading the test report.
  RecordProperty("swaps", std::to_string(swaps.load()));
  RecordProperty("reads_ok", read_ok_.load());
  RecordProperty("reads_refused", read_failed_.load());
  RecordProperty("writes_ok", write_ok_.load());
  RecordProperty("writes_refused", write_failed_.load());
  EXPECT_FALSE(leaked_.load());

  // Outside: exactly the two files, byte for byte as they were.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(outside()))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"data.txt", "edit.txt"}));
  EXPECT_EQ(read_file(outside() / "data.txt"), std::string(kSecret) + "\n");
  EXPECT_EQ(read_file(outside() / "edit.txt"), std::string(kSecret) + " edit me\n");
  // The links are still links to outside, and "sub" is the real directory again.
  EXPECT_TRUE(fs::is_symlink(root() / "swap_abs"));
  EXPECT_TRUE(fs::is_symlink(root() / "swap_rel"));
  EXPECT_FALSE(fs::is_symlink(root() / "sub"));
}

}  // namespace
}  // namespace benchtop
