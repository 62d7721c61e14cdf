// project_create with git_url: clone from a local repository with progress, a working branch,
// and no half project left after a failed or cancelled clone; clone_into refuses a destination
// that leads outside the workspace.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "server/git/remote/git_clone.h"
#include "server/project/git_settings.h"
#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "server/workspace/workspace.h"
#include "tests/support/temp_dir.h"
#include "tests/support/git_test_support.h"
#include "tools/projects/project_tools.h"

namespace benchtop {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ProjectCloneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_.path() / "data");
    workspaces_ = data.workspaces_dir();
    auto database = Database::open(data.database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    service_ = std::make_unique<ProjectService>(*repositories_.projects, workspaces_);
    // The operator allowed local repositories (--git-protocols https,file) for these tests.
    register_project_tools(registry_, *service_, *git::TransportPolicy::parse("https,file"));
    source_ = temp_.path() / "source";
    testing::make_repository(source_, 5);
  }

  ToolResult create(const json& arguments, ToolContext& context) {
    auto result = registry_.call("project_create", arguments, context);
    EXPECT_TRUE(result.has_value());
    return result ? *result : ToolResult::error("tool missing");
  }
  static std::string text_of(const ToolResult& result) {
    return result.content.at(0).at("text").get<std::string>();
  }
  size_t workspace_count() const {
    if (!fs::exists(workspaces_)) return 0;
    return static_cast<size_t>(std::distance(fs::directory_iterator(workspaces_), {}));
  }

  testing::TempDir temp_;
  fs::path workspaces_;
  fs::path source_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> service_;
  ToolRegistry registry_;
};

TEST_F(ProjectCloneTest, ClonesFromALocalPathWithProgressAndAWorkingBranch) {
  std::vector<double> progress;
  ToolContext context(
      CancellationToken(),
      [&progress](double value, std::optional<double>, const std::string&) {
        progress.push_back(value);
      },
      json::object(), "2025-06-18");
  ToolResult result = create(
      {{"name", "ticket-7"}, {"git_url", "file://" + source_.string()}, {"branch", "ticket/7"}},
      context);
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ((*result.structured)["git"]["branch"], "ticket/7");
  const fs::path root = (*result.structured)["project"]["root"].get<std::string>();
  EXPECT_EQ(testing::read_file(root / "file.txt"), "version 4\n");
  ASSERT_FALSE(progress.empty());
  for (size_t i = 1; i < progress.size(); ++i) EXPECT_GT(progress[i], progress[i - 1]);
}

TEST_F(ProjectCloneTest, ClonesAPlainPath) {
  ToolContext context;
  ToolResult result = create({{"name", "plain"}, {"git_url", source_.string()}}, context);
  ASSERT_FALSE(result.is_error) << text_of(result);
  EXPECT_EQ((*result.structured)["git"]["branch"], "main");
}

TEST_F(ProjectCloneTest, CancelledCloneLeavesNoProject) {
  CancellationSource source;
  ToolContext context(
      source.token(),
      [&source](double, std::optional<double>, const std::string&) { source.cancel(); },
      json::object(), "2025-06-18");
  ToolResult result =
      create({{"name", "cancelled"}, {"git_url", "file://" + source_.string()}}, context);
  ASSERT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("cancelled"), std::string::npos) << text_of(result);
  EXPECT_FALSE(service_->get("cancelled").ok());
  EXPECT_EQ(workspace_count(), 0u);
}

TEST_F(ProjectCloneTest, FailedCloneLeavesNoProject) {
  ToolContext context;
  ToolResult result = create(
      {{"name", "missing"}, {"git_url", "file://" + (temp_.path() / "nope").string()}}, context);
  ASSERT_TRUE(result.is_error);
  EXPECT_FALSE(service_->get("missing").ok());
  EXPECT_EQ(workspace_count(), 0u);
  ToolResult unknown_branch = create(
      {{"name", "badbranch"}, {"git_url", source_.string()}, {"git_branch", "nope"}}, context);
  EXPECT_TRUE(unknown_branch.is_error);
  EXPECT_FALSE(service_->get("badbranch").ok());
}

TEST_F(ProjectCloneTest, OptionLikeUrlAndBranchAreRefused) {
  ToolContext context;
  EXPECT_TRUE(create({{"name", "a"}, {"git_url", "--upload-pack=touch x"}}, context).is_error);
  EXPECT_TRUE(
      create({{"name", "b"}, {"git_url", source_.string()}, {"branch", "-f"}}, context).is_error);
  EXPECT_EQ(workspace_count(), 0u);
  EXPECT_TRUE(create({{"name", "c"}, {"branch", "x"}}, context).is_error);
}

TEST_F(ProjectCloneTest, CredentialsNeedAnHttpsUrlAndAreNeverShown) {
  ToolContext context;
  EXPECT_TRUE(create({{"name", "nocreds"}, {"git_url", source_.string()}, {"https_token", "t"}},
                     context)
                  .is_error);  // this registry has no settings store
  git::ProjectGitSettings settings(*repositories_.git_settings, *service_);
  ToolRegistry registry;
  register_project_tools(registry, *service_, settings, *git::TransportPolicy::parse("https,file"));
  // A token is only ever sent over https, so a local git_url with one is refused up front.
  auto local = registry.call(
      "project_create",
      {{"name", "creds"}, {"git_url", source_.string()}, {"https_token", "s3cr3t-token"}}, context);
  ASSERT_TRUE(local->is_error);
  EXPECT_NE(text_of(*local).find("https"), std::string::npos) << text_of(*local);
  EXPECT_EQ(workspace_count(), 0u);
  // An https clone that fails (nothing listens) never shows the token either.
  auto remote = registry.call("project_create",
                              {{"name", "creds"},
                               {"git_url", "https://127.0.0.1:1/r.git"},
                               {"https_token", "s3cr3t-token"}},
                              context);
  ASSERT_TRUE(remote->is_error);
  EXPECT_EQ(remote->to_json().dump().find("s3cr3t-token"), std::string::npos);
  EXPECT_EQ(workspace_count(), 0u);
}

TEST_F(ProjectCloneTest, CloneDestinationLeadingOutsideIsRefused) {
  const fs::path root = temp_.path() / "ws";
  const fs::path outside = temp_.path() / "outside";
  fs::create_directory(root);
  fs::create_directory(outside);
  auto workspace = Workspace::open(root);
  ASSERT_TRUE(workspace.ok());
  // The workspace directory is swapped for a symlink to a directory outside it.
  fs::rename(root, temp_.path() / "ws-moved");
  fs::create_directory_symlink(outside, root);
  git::GitLibrary library;
  git::TransferOptions options;
  options.policy = *git::TransportPolicy::parse("file");
  auto cloned = git::clone_into(**workspace, source_.string(), "", options);
  ASSERT_FALSE(cloned.ok());
  EXPECT_EQ(cloned.error().code, "outside_workspace");
  EXPECT_TRUE(fs::is_empty(outside));
}

// With the default policy (https, and ssh when libgit2 has it) nothing on the server's own disk,
// no remote helper and no unencrypted transport can be cloned; nothing is left behind.
TEST_F(ProjectCloneTest, TransportsTheOperatorDidNotAllowAreRefused) {
  ToolRegistry registry;
  register_project_tools(registry, *service_);
  const std::vector<std::string> urls = {
      "file://" + source_.string(),
      source_.string(),
      fs::relative(source_, fs::current_path()).string(),  // ../../tmp/...
      "ext::sh -c touch% /tmp/benchtop-ext-pwned",
      "fd::3",
      "git://127.0.0.1/r.git",
      "http://127.0.0.1:1/r.git",
      "foo://127.0.0.1/r.git",
  };
  ToolContext context;
  int index = 0;
  for (const auto& url : urls) {
    auto result = registry.call(
        "project_create", {{"name", "p" + std::to_string(index++)}, {"git_url", url}}, context);
    ASSERT_TRUE(result->is_error) << url;
    EXPECT_NE(text_of(*result).find("Refused"), std::string::npos)
        << url << ": " << text_of(*result);
    EXPECT_EQ(workspace_count(), 0u) << url;
  }
  EXPECT_FALSE(fs::exists("/tmp/benchtop-ext-pwned"));
}

TEST_F(ProjectCloneTest, CredentialsInTheUrlAreRefused) {
  ToolContext context;
  for (const std::string url : {"https://user:tok3n@127.0.0.1:1/r.git",
                                "https://tok3n@127.0.0.1:1/r.git", "ssh://git:tok3n@host/r.git"}) {
    ToolResult result = create({{"name", "userinfo"}, {"git_url", url}}, context);
    ASSERT_TRUE(result.is_error) << url;
    EXPECT_NE(text_of(result).find("credentials"), std::string::npos) << text_of(result);
    EXPECT_EQ(result.to_json().dump().find("tok3n"), std::string::npos);
  }
  EXPECT_EQ(workspace_count(), 0u);
}

// https is allowed: a clone from a loopback port where nothing listens fails as a network error,
// not as a refusal.
TEST_F(ProjectCloneTest, HttpsIsAllowedByDefault) {
  ToolRegistry registry;
  register_project_tools(registry, *service_);
  ToolContext context;
  auto result = registry.call("project_create",
                              {{"name", "net"}, {"git_url", "https://127.0.0.1:1/r.git"}}, context);
  ASSERT_TRUE(result->is_error);
  EXPECT_EQ(text_of(*result).find("Refused"), std::string::npos) << text_of(*result);
  EXPECT_NE(text_of(*result).find("Cannot clone"), std::string::npos) << text_of(*result);
}

}  // namespace
}  // namespace benchtop
