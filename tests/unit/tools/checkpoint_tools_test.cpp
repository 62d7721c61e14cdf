// checkpoint_list and checkpoint_restore over the real file tools, recorded by the registry's
// call wrapper as a server records them.
#include "tools/checkpoints/checkpoint_tools.h"

#include <gtest/gtest.h>

#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"
#include "tools/checkpoints/checkpoint_recording.h"
#include "tools/fs/fs_tools.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::read_file;
using testing::write_file;

class CheckpointToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_.path() / "data");
    database_ = std::move(Database::open(data.database_file(), benchtop_migrations())).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, data.workspaces_dir());
    auto project = projects_->create("demo", "");
    ASSERT_TRUE(project.ok()) << project.error().message;
    root_ = project->root;
    ASSERT_TRUE(projects_->set_default("demo").ok());
    recorder_ = std::make_unique<CheckpointRecorder>(*repositories_.checkpoints,
                                                     data.root() / "checkpoints");
    register_fs_tools(registry_, *projects_);
    register_checkpoint_tools(registry_, *projects_, *recorder_);
    registry_.set_call_wrapper(record_checkpoints(*recorder_, *projects_));
  }

  ToolResult call(const std::string& name, const json& arguments) {
    ToolContext context;
    auto result = registry_.call(name, arguments, context);
    EXPECT_TRUE(result.has_value()) << name;
    return result ? *result : ToolResult::error("tool missing");
  }
  static std::string text_of(const ToolResult& result) {
    return result.content.at(0).at("text").get<std::string>();
  }
  // The id of the newest checkpoint.
  int64_t latest() {
    auto listed = call("checkpoint_list", {{"limit", 1}});
    EXPECT_FALSE(listed.is_error) << text_of(listed);
    const auto& checkpoints = (*listed.structured)["checkpoints"];
    return checkpoints.empty() ? 0 : checkpoints[0]["id"].get<int64_t>();
  }
  void restore(int64_t checkpoint) {
    auto restored = call("checkpoint_restore", {{"checkpoint", checkpoint}});
    ASSERT_FALSE(restored.is_error) << text_of(restored);
  }

  testing::TempDir temp_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;
  std::unique_ptr<ProjectService> projects_;
  std::unique_ptr<CheckpointRecorder> recorder_;
  fs::path root_;
  ToolRegistry registry_;  // last: destroyed before what its handlers use
};

TEST_F(CheckpointToolsTest, ListsWhichCallChangedWhatNewestFirst) {
  ASSERT_FALSE(call("fs_write", {{"path", "notes/hello.txt"}, {"content", "hi\n"}}).is_error);
  ASSERT_FALSE(call("fs_move", {{"from", "notes/hello.txt"}, {"to", "hello.txt"}}).is_error);
  ASSERT_FALSE(call("fs_read", {{"path", "hello.txt"}}).is_error);  // read-only: not recorded
  auto listed = call("checkpoint_list", json::object());
  ASSERT_FALSE(listed.is_error) << text_of(listed);
  const json& checkpoints = (*listed.structured)["checkpoints"];
  ASSERT_EQ(checkpoints.size(), 2u) << checkpoints;
  EXPECT_EQ(checkpoints[0]["tool"], "fs_move");
  EXPECT_EQ(checkpoints[0]["changes"], json::parse(R"([{"path":"hello.txt","change":"added"},
                            {"path":"notes/hello.txt","change":"deleted"}])"));
  EXPECT_EQ(checkpoints[1]["tool"], "fs_write");
  EXPECT_NE(checkpoints[1]["summary"].get<std::string>().find("notes/hello.txt"),
            std::string::npos);
  EXPECT_NE(text_of(listed).find("checkpoint_restore"), std::string::npos);

  auto only = call("checkpoint_list", {{"path", "notes"}});
  EXPECT_EQ((*only.structured)["checkpoints"].size(), 2u);
  auto none = call("checkpoint_list", {{"path", "elsewhere"}});
  EXPECT_TRUE((*none.structured)["checkpoints"].empty());
}

TEST_F(CheckpointToolsTest, EveryFileToolIsUndoneByteForByte) {
  const std::string original("line one\nline two\n\0binary\xff\n", 27);
  write_file(root_ / "src/main.txt", original);
  write_file(root_ / "src/other.txt", "other\n");

  ASSERT_FALSE(call("fs_edit", {{"path", "src/other.txt"},
                                {"edits", {{{"old_text", "other"}, {"new_text", "changed"}}}}})
                   .is_error);
  restore(latest());
  EXPECT_EQ(read_file(root_ / "src/other.txt"), "other\n");

  ASSERT_FALSE(call("fs_write", {{"path", "src/main.txt"}, {"content", "overwritten"}}).is_error);
  restore(latest());
  EXPECT_EQ(read_file(root_ / "src/main.txt"), original);

  ASSERT_FALSE(call("fs_delete", {{"path", "src"}, {"recursive", true}}).is_error);
  EXPECT_FALSE(fs::exists(root_ / "src"));
  restore(latest());
  EXPECT_EQ(read_file(root_ / "src/main.txt"), original);
  EXPECT_EQ(read_file(root_ / "src/other.txt"), "other\n");

  auto patched = call("fs_apply_patch", {{"patch",
                                          "--- a/src/other.txt\n+++ b/src/other.txt\n"
                                          "@@ -1 +1 @@\n-other\n+patched\n"}});
  ASSERT_FALSE(patched.is_error) << text_of(patched);
  restore(latest());
  EXPECT_EQ(read_file(root_ / "src/other.txt"), "other\n");
}

TEST_F(CheckpointToolsTest, AWriteIntoNewDirectoriesIsUndoneWithThem) {
  fs::create_directories(root_ / "docs");
  ASSERT_FALSE(call("fs_write", {{"path", "docs/a/b/c.txt"}, {"content", "c"}}).is_error);
  auto listed = call("checkpoint_list", {{"limit", 1}});
  EXPECT_EQ((*listed.structured)["checkpoints"][0]["changes"].size(), 3u);  // a/, a/b/, c.txt
  restore(latest());
  EXPECT_FALSE(fs::exists(root_ / "docs/a"));
  EXPECT_TRUE(fs::is_directory(root_ / "docs"));
}

TEST_F(CheckpointToolsTest, ADryRunSaysWhatWouldChangeAndChangesNothing) {
  write_file(root_ / "a.txt", "a");
  ASSERT_FALSE(call("fs_write", {{"path", "a.txt"}, {"content", "b"}}).is_error);
  const int64_t id = latest();
  auto dry = call("checkpoint_restore", {{"checkpoint", id}, {"dry_run", true}});
  ASSERT_FALSE(dry.is_error) << text_of(dry);
  EXPECT_EQ((*dry.structured)["restored"],
            json::parse(R"([{"path":"a.txt","change":"modified"}])"));
  EXPECT_EQ(read_file(root_ / "a.txt"), "b");
  EXPECT_EQ(latest(), id);  // a dry run records nothing
}

TEST_F(CheckpointToolsTest, RefusalsNameTheFix) {
  auto unknown = call("checkpoint_restore", {{"checkpoint", 999}});
  ASSERT_TRUE(unknown.is_error);
  EXPECT_NE(text_of(unknown).find("checkpoint_list"), std::string::npos);
  auto outside = call("checkpoint_restore", {{"checkpoint", 1}, {"paths", {"../../etc"}}});
  EXPECT_TRUE(outside.is_error);
  auto no_project = call("checkpoint_list", {{"project", "nope"}});
  EXPECT_TRUE(no_project.is_error);
  auto bad = call("checkpoint_restore", {{"checkpoint", "1"}});
  EXPECT_TRUE(bad.is_error);  // the schema wants an integer
}

TEST_F(CheckpointToolsTest, AFailedCallRecordsNothing) {
  auto refused = call("fs_write", {{"path", "../escape.txt"}, {"content", "x"}});
  ASSERT_TRUE(refused.is_error);
  EXPECT_EQ(latest(), 0);
  auto listed = call("checkpoint_list", json::object());
  EXPECT_NE(text_of(listed).find("No checkpoints"), std::string::npos);
}

TEST(CheckpointSummaryTest, LeavesOutTheProjectAndShortensLongValues) {
  const std::string summary = summarize_arguments(
      {{"project", "demo"}, {"path", "a.txt"}, {"content", std::string(500, 'x')}});
  EXPECT_EQ(summary.find("demo"), std::string::npos);
  EXPECT_NE(summary.find("\"path\":\"a.txt\""), std::string::npos);
  EXPECT_LT(summary.size(), 200u);
  EXPECT_NE(summary.find("…"), std::string::npos);
}

}  // namespace
}  // namespace benchtop
