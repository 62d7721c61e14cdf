// Error results never show host paths: the project's workspace is /workspace to the model and
// the data directory is "<data dir>", whichever tool failed (file system or libgit2).
#include "tools/common/host_paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "server/project/git_settings.h"
#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"
#include "tools/fs/fs_tools.h"
#include "tools/git/git_tools.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(ReplaceHostPathsTest, WholeComponentsOnlyInOrder) {
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"/srv/data/workspaces/p1", "/workspace"}, {"/srv/data", "<data dir>"}};
  EXPECT_EQ(replace_host_paths("open '/srv/data/workspaces/p1/.git/HEAD' failed", paths),
            "open '/workspace/.git/HEAD' failed");
  EXPECT_EQ(replace_host_paths("in /srv/data/workspaces/p1: x", paths), "in /workspace: x");
  EXPECT_EQ(replace_host_paths("/srv/data/workspaces/p2/a", paths), "<data dir>/workspaces/p2/a");
  EXPECT_EQ(replace_host_paths("/srv/database and /srv/data-old", paths),
            "/srv/database and /srv/data-old");
  EXPECT_EQ(replace_host_paths("twice /srv/data /srv/data/x", paths),
            "twice <data dir> <data dir>/x");
}

class HostPathErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_.path() / "data");
    ASSERT_TRUE(data.create().ok());
    auto database = Database::open(data.database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, data.workspaces_dir());
    settings_ = std::make_unique<git::ProjectGitSettings>(*repositories_.git_settings, *projects_);
    register_fs_tools(registry_, *projects_);
    register_git_tools(registry_, *projects_, *settings_);
    registry_.set_error_filter(host_path_filter(*projects_, data.root()));
    auto created = projects_->create("demo", "");
    ASSERT_TRUE(created.ok()) << created.error().message;
    root_ = created->root;
  }

  std::string error_of(const std::string& tool, const json& arguments) {
    ToolContext context;
    auto result = registry_.call(tool, arguments, context);
    EXPECT_TRUE(result && result->is_error) << tool << " should fail";
    return result ? result->to_json().dump() : "";
  }

  testing::TempDir temp_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> projects_;
  std::unique_ptr<git::ProjectGitSettings> settings_;
  ToolRegistry registry_;
  fs::path root_;
};

TEST_F(HostPathErrorsTest, FileSystemAndGitErrorsShowWorkspacePaths) {
  // An empty .git directory: libgit2 names the directory it could not open.
  fs::create_directory(root_ / ".git");
  const std::vector<std::pair<std::string, json>> calls = {
      {"fs_read", {{"project", "demo"}, {"path", "/etc/passwd"}}},
      {"fs_write", {{"project", "demo"}, {"path", "/etc/x"}, {"content", "x"}}},
      {"git_status", {{"project", "demo"}}},
      {"git_log", {{"project", "demo"}}},
      {"git_add", {{"project", "demo"}, {"all", true}}},
  };
  int rewritten = 0;
  for (const auto& [tool, arguments] : calls) {
    const std::string text = error_of(tool, arguments);
    EXPECT_EQ(text.find(temp_.path().string()), std::string::npos) << tool << ": " << text;
    if (text.find("/workspace") != std::string::npos) ++rewritten;
  }
  EXPECT_GE(rewritten, 3);  // the rewriting happened, not just an absence of paths
}

}  // namespace
}  // namespace benchtop
