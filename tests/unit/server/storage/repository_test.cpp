// The repository contract, run against every store benchtop has (today the embedded SQLite one).
// A new store passes when it is added to kStores and this suite runs green against it.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/storage/repositories.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using benchtop::testing::TempDir;

// One open store: whatever keeps it alive, and its repositories.
struct OpenStore {
  std::shared_ptr<void> keep_alive;
  Repositories repositories;
};

struct StoreKind {
  std::string name;
  std::function<OpenStore(const TempDir&)> open;
};

const std::vector<StoreKind>& stores() {
  static const std::vector<StoreKind> kStores = {
      {"sqlite",
       [](const TempDir& dir) {
         auto database = Database::open(dir.path() / "benchtop.db", benchtop_migrations());
         EXPECT_TRUE(database.ok()) << database.error().message;
         std::shared_ptr<Database> shared = std::move(database).value();
         return OpenStore{shared, make_sqlite_repositories(*shared)};
       }},
  };
  return kStores;
}

class RepositoryTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  RepositoryTest() : store_(GetParam().open(dir_)) {}
  ~RepositoryTest() override { store_.repositories = {}; }

  ProjectRepository& projects() { return *store_.repositories.projects; }
  ContainerRepository& containers() { return *store_.repositories.containers; }
  ThreadRepository& threads() { return *store_.repositories.threads; }
  TestRunRepository& test_runs() { return *store_.repositories.test_runs; }
  GitSettingsRepository& git_settings() { return *store_.repositories.git_settings; }
  CheckpointRepository& checkpoints() { return *store_.repositories.checkpoints; }

  std::string add_project(const std::string& id, const std::string& name) {
    EXPECT_TRUE(projects().insert_managed(id, name, "", nullptr).ok());
    return id;
  }

  TempDir dir_;
  OpenStore store_;
};

constexpr const char* kAlphaId = "11111111-1111-4111-8111-111111111111";
constexpr const char* kBetaId = "22222222-2222-4222-8222-222222222222";
constexpr const char* kGammaId = "33333333-3333-4333-8333-333333333333";

TEST_P(RepositoryTest, ProjectsAreFoundByIdOrNameAndListedByName) {
  add_project(kBetaId, "beta");
  ASSERT_TRUE(projects().insert_managed(kAlphaId, "alpha", "first", nullptr).ok());
  auto by_name = projects().find("alpha");
  ASSERT_TRUE(by_name.ok() && by_name->has_value());
  EXPECT_EQ((*by_name)->id, kAlphaId);
  EXPECT_EQ((*by_name)->description, "first");
  EXPECT_EQ((*by_name)->kind, "managed");
  EXPECT_EQ((*by_name)->root, "");
  EXPECT_FALSE((*by_name)->created_at.empty());
  auto by_id = projects().find(kBetaId);
  ASSERT_TRUE(by_id.ok() && by_id->has_value());
  EXPECT_EQ((*by_id)->name, "beta");
  auto missing = projects().find("gamma");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto all = projects().list();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "alpha");
  EXPECT_EQ((*all)[1].name, "beta");
}

TEST_P(RepositoryTest, ATakenNameOrAFailedStepKeepsNoRow) {
  add_project(kAlphaId, "alpha");
  auto taken = projects().insert_managed(kBetaId, "alpha", "", nullptr);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, "exists");
  bool ran = false;
  auto failed = projects().insert_managed(kGammaId, "gamma", "", [&]() -> Status {
    ran = true;
    return Error::make("the workspace could not be made", "io_error");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(ran);
  EXPECT_EQ(failed.error().code, "io_error");
  auto gamma = projects().find("gamma");
  ASSERT_TRUE(gamma.ok());
  EXPECT_FALSE(gamma->has_value());
}

TEST_P(RepositoryTest, TheDefaultProjectIsOneAndGoesWithItsProject) {
  add_project(kAlphaId, "alpha");
  add_project(kBetaId, "beta");
  auto none = projects().find_default();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(projects().set_default(kAlphaId).ok());
  ASSERT_TRUE(projects().set_default(kBetaId).ok());
  auto chosen = projects().find_default();
  ASSERT_TRUE(chosen.ok() && chosen->has_value());
  EXPECT_EQ((*chosen)->id, kBetaId);
  EXPECT_TRUE((*chosen)->is_default);
  auto alpha = projects().find(kAlphaId);
  EXPECT_FALSE((*alpha)->is_default);
  auto unknown = projects().set_default(kGammaId);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "not_found");
  ASSERT_TRUE(projects().remove(kBetaId).ok());
  auto after = projects().find_default();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
  EXPECT_TRUE(projects().remove(kBetaId).ok());  // removing what is gone is not an error
}

TEST_P(RepositoryTest, AnExternalRootIsRegisteredOnceUnderTheFirstFreeName) {
  add_project(kAlphaId, "app");
  std::vector<int> asked;
  auto candidates = [&](int attempt) -> std::string {
    asked.push_back(attempt);
    return attempt == 0 ? "app" : "app-" + std::to_string(attempt + 1);
  };
  auto first = projects().register_external("/srv/app", kBetaId, "Registered", candidates);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, kBetaId);
  EXPECT_EQ(asked, (std::vector<int>{0, 1}));
  auto stored = projects().find(kBetaId);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->name, "app-2");
  EXPECT_EQ((*stored)->kind, "external");
  EXPECT_EQ((*stored)->root, "/srv/app");
  EXPECT_TRUE((*stored)->is_default);

  asked.clear();
  auto again = projects().register_external("/srv/app", kGammaId, "Registered", candidates);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, kBetaId);  // the same root is the same project
  EXPECT_TRUE(asked.empty());

  auto exhausted =
      projects().register_external("/srv/other", kGammaId, "", [](int) { return std::string(); });
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.error().code, "exists");
  EXPECT_FALSE(projects().find(kGammaId)->has_value());
}

TEST_P(RepositoryTest, ContainerRecordsKeepTheirCreationAcrossSaves) {
  add_project(kAlphaId, "alpha");
  ContainerRecord record;
  record.project_id = kAlphaId;
  record.backend = "bwrap";
  record.memory_bytes = 512 << 20;
  record.pids = 256;
  record.cpu_millis = 1000;
  record.state = "running";
  ASSERT_TRUE(containers().save(record).ok());
  auto saved = containers().get(kAlphaId);
  ASSERT_TRUE(saved.ok() && saved->has_value());
  const std::string created = (*saved)->created_at;
  EXPECT_FALSE(created.empty());
  EXPECT_EQ((*saved)->memory_bytes, 512 << 20);

  record.state = "suspended";
  record.network = true;
  ASSERT_TRUE(containers().save(record).ok());
  ASSERT_TRUE(containers().set_state(kAlphaId, "error", "the backend went away").ok());
  ASSERT_TRUE(containers().touch(kAlphaId).ok());
  auto all = containers().all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, "error");
  EXPECT_EQ((*all)[0].error, "the backend went away");
  EXPECT_TRUE((*all)[0].network);
  EXPECT_EQ((*all)[0].created_at, created);

  ASSERT_TRUE(containers().remove(kAlphaId).ok());
  EXPECT_FALSE(containers().get(kAlphaId)->has_value());
}

TEST_P(RepositoryTest, ContainerRecordsGoWithTheirProject) {
  add_project(kAlphaId, "alpha");
  ContainerRecord record;
  record.project_id = kAlphaId;
  record.backend = "none";
  record.state = "stopped";
  ASSERT_TRUE(containers().save(record).ok());
  ASSERT_TRUE(projects().remove(kAlphaId).ok());
  EXPECT_TRUE(containers().all()->empty());
}

TEST_P(RepositoryTest, ThreadsKeepMessagesInOrderAndSumTheirTokens) {
  auto thread = threads().create("t-1", "alpha", "first");
  ASSERT_TRUE(thread.ok());
  EXPECT_EQ(thread->title, "first");
  ASSERT_TRUE(threads().create("t-2", "beta", "").ok());

  MessageRecord user;
  user.role = "user";
  user.content = "hello";
  MessageRecord assistant;
  assistant.role = "assistant";
  assistant.tool_calls = R"([{"id":"c1","name":"fs_read","arguments":"{}"}])";
  assistant.usage = R"({"prompt_tokens":10,"completion_tokens":3})";
  assistant.prompt_tokens = 10;
  assistant.completion_tokens = 3;
  MessageRecord tool;
  tool.role = "tool";
  tool.tool_call_id = "c1";
  tool.name = "fs_read";
  tool.is_error = true;
  tool.content = "no such file";
  const auto first = threads().append("t-1", user);
  const auto second = threads().append("t-1", assistant);
  const auto third = threads().append("t-1", tool);
  ASSERT_TRUE(first.ok() && second.ok() && third.ok());
  EXPECT_LT(*first, *second);
  EXPECT_LT(*second, *third);

  auto messages = threads().messages("t-1");
  ASSERT_TRUE(messages.ok());
  ASSERT_EQ(messages->size(), 3u);
  EXPECT_EQ((*messages)[0].content, "hello");
  EXPECT_FALSE((*messages)[0].tool_calls.has_value());
  EXPECT_EQ((*messages)[1].tool_calls, assistant.tool_calls);
  EXPECT_EQ((*messages)[2].tool_call_id, "c1");
  EXPECT_TRUE((*messages)[2].is_error);

  auto stored = threads().get("t-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->prompt_tokens, 10);
  EXPECT_EQ((*stored)->completion_tokens, 3);

  auto alpha_only = threads().list("alpha");
  ASSERT_TRUE(alpha_only.ok());
  ASSERT_EQ(alpha_only->size(), 1u);
  EXPECT_EQ(threads().list("")->size(), 2u);
  EXPECT_EQ(threads().list("")->front().id, "t-1");  // the most recently updated first

  ASSERT_TRUE(threads().set_title("t-1", "renamed").ok());
  EXPECT_EQ((*threads().get("t-1"))->title, "renamed");
  EXPECT_TRUE(*threads().remove("t-1"));
  EXPECT_FALSE(*threads().remove("t-1"));
  EXPECT_TRUE(threads().messages("t-1")->empty());
  EXPECT_FALSE(threads().get("t-1")->has_value());
}

TEST_P(RepositoryTest, TestRunsComeBackNewestFirstPerProject) {
  add_project(kAlphaId, "alpha");
  add_project(kBetaId, "beta");
  for (int i = 0; i < 3; ++i) {
    TestRunRecord run;
    run.project_id = kAlphaId;
    run.command = "pytest -k " + std::to_string(i);
    run.runner = "pytest";
    if (i != 1) run.exit_code = i;
    run.passed = i;
    run.failures = "[]";
    auto stored = test_runs().insert(run);
    ASSERT_TRUE(stored.ok());
    EXPECT_GT(stored->id, 0);
    EXPECT_FALSE(stored->started_at.empty());
  }
  TestRunRecord other;
  other.project_id = kBetaId;
  other.command = "go test ./...";
  other.runner = "go";
  ASSERT_TRUE(test_runs().insert(other).ok());

  auto recent = test_runs().recent(kAlphaId, 2);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].command, "pytest -k 2");
  EXPECT_EQ((*recent)[0].exit_code, 2);
  EXPECT_EQ((*recent)[1].command, "pytest -k 1");
  EXPECT_FALSE((*recent)[1].exit_code.has_value());
  EXPECT_EQ(test_runs().recent(kBetaId, 10)->size(), 1u);
}

TEST_P(RepositoryTest, AFailedGitSettingsChangeStoresNothing) {
  add_project(kAlphaId, "alpha");
  auto empty = git_settings().get(kAlphaId);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->author_name, "");
  auto set = git_settings().update(kAlphaId, [](GitSettingsRecord record) {
    record.author_name = "Ada";
    return Result<GitSettingsRecord>(record);
  });
  ASSERT_TRUE(set.ok());
  auto refused = git_settings().update(kAlphaId, [](GitSettingsRecord) {
    return Result<GitSettingsRecord>(Error::make("no", "invalid_argument"));
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(git_settings().get(kAlphaId)->author_name, "Ada");
}

// Each update reads the settings and writes all of them back: without one transaction around the
// two, an update that read before the other wrote would put the other's field back as it was.
TEST_P(RepositoryTest, ConcurrentGitSettingsUpdatesLoseNoField) {
  add_project(kAlphaId, "alpha");
  constexpr int kRounds = 200;
  auto writer = [&](bool name) {
    for (int i = 1; i <= kRounds; ++i) {
      auto updated = git_settings().update(kAlphaId, [&](GitSettingsRecord record) {
        // Give the other writer a chance to run between this read and the write.
        std::this_thread::yield();
        (name ? record.author_name : record.author_email) = std::to_string(i);
        return Result<GitSettingsRecord>(record);
      });
      ASSERT_TRUE(updated.ok());
    }
  };
  std::thread names(writer, true);
  std::thread emails(writer, false);
  names.join();
  emails.join();
  auto final_settings = git_settings().get(kAlphaId);
  ASSERT_TRUE(final_settings.ok());
  EXPECT_EQ(final_settings->author_name, std::to_string(kRounds));
  EXPECT_EQ(final_settings->author_email, std::to_string(kRounds));
}

CheckpointRecord checkpoint_of(const std::string& project, const std::string& tool,
                               std::vector<CheckpointChange> changes) {
  CheckpointRecord record;
  record.project_id = project;
  record.tool = tool;
  record.summary = "{}";
  record.changes = std::move(changes);
  return record;
}

TEST_P(RepositoryTest, CheckpointsKeepTheirChangesPerProjectInOrder) {
  add_project(kAlphaId, "alpha");
  add_project(kBetaId, "beta");
  FileVersion file{FileVersion::Kind::kFile, 0644, 3, std::string(64, 'a')};
  FileVersion edited{FileVersion::Kind::kFile, 0755, 4, std::string(64, 'b')};
  auto first = checkpoints().insert(
      checkpoint_of(kAlphaId, "fs_write", {{"a.txt", {}, file}, {"b.txt", file, edited}}));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(checkpoints().insert(checkpoint_of(kBetaId, "shell_exec", {{"x", file, {}}})).ok());
  auto second = checkpoints().insert(checkpoint_of(kAlphaId, "shell_exec", {{"a.txt", file, {}}}));
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->id, first->id);
  EXPECT_FALSE(first->created_at.empty());

  auto recent = checkpoints().recent(kAlphaId, 10);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].tool, "shell_exec");
  ASSERT_EQ((*recent)[1].changes.size(), 2u);
  EXPECT_EQ((*recent)[1].changes[1].path, "b.txt");
  EXPECT_EQ((*recent)[1].changes[1].before, file);
  EXPECT_EQ((*recent)[1].changes[1].after, edited);
  EXPECT_EQ((*recent)[1].changes[0].before.kind, FileVersion::Kind::kAbsent);

  auto since = checkpoints().since(kAlphaId, first->id);
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].id, first->id);  // oldest first, the other project's left out
  ASSERT_EQ((*since)[1].changes.size(), 1u);

  auto in_use = checkpoints().blobs_in_use(kAlphaId);
  ASSERT_TRUE(in_use.ok());
  EXPECT_EQ(*in_use, std::set<std::string>{file.blob});  // "before" contents only

  auto dropped = checkpoints().keep_newest(kAlphaId, 1);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1u);
  EXPECT_EQ(*checkpoints().count(kAlphaId), 1u);
  EXPECT_EQ(*checkpoints().count(kBetaId), 1u);
  EXPECT_TRUE(checkpoints().since(kAlphaId, first->id)->front().id == second->id);
}

INSTANTIATE_TEST_SUITE_P(Stores, RepositoryTest, ::testing::ValuesIn(stores()),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace benchtop
