#include "tools/projects/project_resources.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/base64.h"
#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/special_file_support.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ProjectResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_dir_.path() / "data");
    auto database = Database::open(data.database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    service_ = std::make_unique<ProjectService>(*repositories_.projects, data.workspaces_dir());
    register_project_resources(resources_, *service_);
    auto project = service_->create("demo", "");
    ASSERT_TRUE(project) << project.error().message;
    root_ = project->root;
    fs::create_directories(root_ / "src");
    std::ofstream(root_ / "src" / "main.cpp") << "int main() {}\n";
    std::ofstream(root_ / "logo.bin", std::ios::binary) << std::string("\x89PNG\xff\x00", 6);
    std::ofstream(temp_dir_.path() / "secret.txt") << "outside";
  }

  Result<json> read(const std::string& uri) {
    ToolContext context;
    return resources_.read(uri, context);
  }

  testing::TempDir temp_dir_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> service_;
  ResourceRegistry resources_;
  fs::path root_;
};

TEST_F(ProjectResourcesTest, ReadsTextAndBinaryFilesOfAProject) {
  EXPECT_EQ(resources_.list_templates()[0]["uriTemplate"], "benchtop://{project}/{+path}");
  auto text = read("benchtop://demo/src/main.cpp");
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ((*text)[0]["text"], "int main() {}\n");
  EXPECT_EQ((*text)[0]["uri"], "benchtop://demo/src/main.cpp");
  auto binary = read("benchtop://demo/logo.bin");
  ASSERT_TRUE(binary) << binary.error().message;
  EXPECT_EQ(base64::decode((*binary)[0]["blob"].get<std::string>()),
            std::string("\x89PNG\xff\x00", 6));
  auto escaped = read("benchtop://demo/src%2Fmain.cpp");
  EXPECT_TRUE(escaped) << escaped.error().message;
}

TEST_F(ProjectResourcesTest, StaysInsideTheWorkspace) {
  for (const char* uri : {"benchtop://demo/../secret.txt", "benchtop://demo/%2E%2E/secret.txt"}) {
    auto outside = read(uri);
    EXPECT_FALSE(outside) << uri;
  }
  auto missing = read("benchtop://demo/nope.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, kResourceNotFound);
  auto unknown_project = read("benchtop://nobody/file");
  ASSERT_FALSE(unknown_project);
  EXPECT_EQ(unknown_project.error().code, kResourceNotFound);
  EXPECT_FALSE(read("benchtop://demo/src"));  // a directory is not a resource
}

TEST_F(ProjectResourcesTest, CompletesProjectNamesAndPaths) {
  auto projects = resources_.complete("benchtop://{project}/{+path}", "project", "de", {});
  ASSERT_TRUE(projects);
  EXPECT_EQ(*projects, (std::vector<std::string>{"demo"}));
  auto top = resources_.complete("benchtop://{project}/{+path}", "path", "", {{"project", "demo"}});
  ASSERT_TRUE(top);
  EXPECT_EQ(*top, (std::vector<std::string>{"logo.bin", "src/"}));
  auto inner =
      resources_.complete("benchtop://{project}/{+path}", "path", "src/m", {{"project", "demo"}});
  ASSERT_TRUE(inner);
  EXPECT_EQ(*inner, (std::vector<std::string>{"src/main.cpp"}));
}

TEST_F(ProjectResourcesTest, SpecialFilesAreRefusedWithoutBlocking) {
  for (const auto kind : {testing::SpecialKind::kFifo, testing::SpecialKind::kSocket,
                          testing::SpecialKind::kCharDevice}) {
    SCOPED_TRACE(testing::special_kind_name(kind));
    const fs::path path = root_ / "special";
    fs::remove(path);
    if (!testing::make_special(path, kind)) continue;  // a device needs CAP_MKNOD
    EXPECT_TRUE(testing::returns_within(
        std::chrono::seconds(5),
        [&] {
          auto result = read("benchtop://demo/special");
          ASSERT_FALSE(result);
          EXPECT_NE(result.error().message.find("not a regular file"), std::string::npos)
              << result.error().message;
        },
        {path}));
  }
}

TEST_F(ProjectResourcesTest, EachProjectsNotesForAgentsAreListed) {
  EXPECT_TRUE(resources_.list().empty());
  std::ofstream(root_ / "AGENTS.md") << "Run `make test` before committing.\n";
  auto other = service_->create("other", "");
  ASSERT_TRUE(other) << other.error().message;
  std::ofstream(other->root / "CLAUDE.md") << "Use tabs.\n";
  // A link named AGENTS.md is not the project's own file: not listed (and not followed).
  fs::create_symlink(temp_dir_.path() / "secret.txt", other->root / "AGENTS.md");

  const json listed = resources_.list();
  ASSERT_EQ(listed.size(), 2u) << listed;
  EXPECT_EQ(listed[0]["uri"], "benchtop://demo/AGENTS.md");
  EXPECT_EQ(listed[0]["mimeType"], "text/markdown");
  EXPECT_EQ(listed[1]["uri"], "benchtop://other/CLAUDE.md");
  auto read_back = read(listed[0]["uri"]);
  ASSERT_TRUE(read_back) << read_back.error().message;
  EXPECT_EQ((*read_back)[0]["text"], "Run `make test` before committing.\n");
}

}  // namespace
}  // namespace benchtop
