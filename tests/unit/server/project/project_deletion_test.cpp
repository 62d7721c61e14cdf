// Deleting a project holds nothing other projects need: while a 50,000-file workspace is removed,
// fs_read in another project keeps answering at once. (With the workspace cache's lock and the
// database held over the removal, every call in every project waited for it.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>

#include "common/unique_fd.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/project/project_service.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"
#include "tools/fs/fs_tools.h"

namespace benchtop::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void make_files(const fs::path& root, int directories, int per_directory) {
  for (int d = 0; d < directories; ++d) {
    const fs::path directory = root / ("d" + std::to_string(d));
    ASSERT_EQ(::mkdir(directory.c_str(), 0755), 0);
    for (int f = 0; f < per_directory; ++f) {
      const fs::path file = directory / ("f" + std::to_string(f) + ".txt");
      UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      ASSERT_TRUE(fd) << file;
      ASSERT_EQ(::write(fd.get(), "x\n", 2), 2);
    }
  }
}

TEST(ProjectDeletionTest, OtherProjectsKeepAnsweringWhileAHugeWorkspaceIsDeleted) {
  TempDir temp;
  auto database = Database::open(temp / "benchtop.db", benchtop_migrations());
  ASSERT_TRUE(database.ok()) << database.error().message;
  auto repositories = make_sqlite_repositories(**database);
  ProjectService projects(*repositories.projects, temp / "workspaces");
  auto huge = projects.create("huge", "");
  auto other = projects.create("other", "");
  ASSERT_TRUE(huge.ok() && other.ok());
  write_file(other->root / "notes.txt", "still here\n");
  make_files(huge->root, 50, 1000);

  ToolRegistry registry;
  register_fs_tools(registry, projects);
  auto read_other = [&] {
    ToolContext context;
    auto result = registry.call("fs_read", {{"project", "other"}, {"path", "notes.txt"}}, context);
    return result && !result->is_error;
  };
  ASSERT_TRUE(read_other());

  std::atomic<bool> removal_started{false};
  projects.add_removal_hook([&](const Project&) { removal_started = true; });
  auto deletion = std::async(std::launch::async, [&] { return projects.remove("huge", "huge"); });
  while (!removal_started) std::this_thread::yield();

  std::vector<std::chrono::microseconds> latencies;
  while (deletion.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    const auto start = Clock::now();
    ASSERT_TRUE(read_other());
    latencies.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start));
  }
  auto deleted = deletion.get();
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_FALSE(fs::exists(huge->root));
  EXPECT_TRUE(fs::exists(other->root / "notes.txt"));

  // Reads ran throughout the removal (it takes far longer than one read), none waiting for it.
  ASSERT_GE(latencies.size(), 10u) << "the reads did not overlap the removal";
  const auto slowest = *std::max_element(latencies.begin(), latencies.end());
  EXPECT_LT(slowest, std::chrono::milliseconds(50))
      << "slowest of " << latencies.size() << " reads during the deletion";
}

TEST(ProjectDeletionTest, AnInterruptedDeletionsLeftoverIsRemovedAtStart) {
  TempDir temp;
  auto database = Database::open(temp / "benchtop.db", benchtop_migrations());
  ASSERT_TRUE(database.ok()) << database.error().message;
  auto repositories = make_sqlite_repositories(**database);
  ProjectService projects(*repositories.projects, temp / "workspaces");
  ASSERT_TRUE(projects.create("kept", "").ok());
  write_file(temp / "workspaces" / ".deleted-0a1b" / "deep" / "file.txt", "left over\n");
  EXPECT_EQ(projects.remove_leftover_deletions(), 1u);
  EXPECT_FALSE(fs::exists(temp / "workspaces" / ".deleted-0a1b"));
  EXPECT_TRUE(projects.get("kept").ok());
}

}  // namespace
}  // namespace benchtop::testing
