// The container manager's state machine and locking on a scripted backend, so it is tested where
// bubblewrap cannot run: lifecycle transitions, what reaches the backend, operator ceilings, and
// that one project's slow lifecycle change never holds up another project's.
#include "server/sandbox/container_manager.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <vector>

#include "server/project/project_resolver.h"
#include "server/project/project_service.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {
namespace {

using namespace std::chrono_literals;

// Records every call; ensure() of a project in `hold` waits until release() (or 30 s, so a broken
// manager fails the test rather than hanging it).
class ScriptedBackend : public ContainerBackend {
 public:
  std::string name() const override { return "scripted"; }
  Status ensure(const ContainerSpec& spec) override {
    std::unique_lock lock(mutex_);
    calls_.push_back("ensure " + spec.project_name);
    entered_.notify_all();
    if (hold_.count(spec.project_name)) {
      released_.wait_for(lock, 30s, [&] { return !hold_.count(spec.project_name); });
    }
    running_.insert(spec.project_id);
    return {};
  }
  BackendStatus status(const ContainerSpec& spec) override {
    std::lock_guard lock(mutex_);
    BackendStatus status;
    status.exists = running_.count(spec.project_id) > 0;
    status.enforced = {"memory"};
    return status;
  }
  Result<std::unique_ptr<RunningCommand>> exec(const ContainerSpec&,
                                               const ProcessLaunch&) override {
    return Error::make("the scripted backend runs no commands");
  }
  Result<BackgroundProcessInfo> start_process(const ContainerSpec&, const ProcessLaunch&) override {
    return Error::make("the scripted backend runs no commands");
  }
  Result<std::vector<BackgroundProcessInfo>> list_processes(const ContainerSpec&) override {
    return std::vector<BackgroundProcessInfo>{};
  }
  Result<ProcessOutput> read_process(const ContainerSpec&, const std::string& id,
                                     std::optional<uint64_t>, std::optional<uint64_t>,
                                     uint64_t) override {
    return Error::make("no process '" + id + "'", "not_found");
  }
  Status write_process(const ContainerSpec&, const std::string& id, std::string_view) override {
    return Error::make("no process '" + id + "'", "not_found");
  }
  Result<BackgroundProcessInfo> signal_process(const ContainerSpec&, const std::string& id,
                                               int) override {
    return Error::make("no process '" + id + "'", "not_found");
  }
  Status suspend(const ContainerSpec& spec) override { return record("suspend", spec); }
  Status resume(const ContainerSpec& spec) override { return record("resume", spec); }
  Status destroy(const ContainerSpec& spec) override {
    std::lock_guard lock(mutex_);
    running_.erase(spec.project_id);
    calls_.push_back("destroy " + spec.project_name);
    return {};
  }
  Result<bool> adopt(const ContainerSpec& spec) override {
    std::lock_guard lock(mutex_);
    calls_.push_back("adopt " + spec.project_id);
    return running_.count(spec.project_id) > 0;
  }

  void hold(const std::string& project) {
    std::lock_guard lock(mutex_);
    hold_.insert(project);
  }
  void release(const std::string& project) {
    std::lock_guard lock(mutex_);
    hold_.erase(project);
    released_.notify_all();
  }
  bool wait_entered(const std::string& call) {
    std::unique_lock lock(mutex_);
    return entered_.wait_for(
        lock, 10s, [&] { return std::find(calls_.begin(), calls_.end(), call) != calls_.end(); });
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  Status record(const std::string& what, const ContainerSpec& spec) {
    std::lock_guard lock(mutex_);
    calls_.push_back(what + " " + spec.project_name);
    return {};
  }

  std::mutex mutex_;
  std::condition_variable entered_;
  std::condition_variable released_;
  std::set<std::string> hold_;
  std::set<std::string> running_;
  std::vector<std::string> calls_;
};

class ContainerManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = Database::open(temp_ / "benchtop.db", benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, temp_ / "workspaces");
    for (const char* name : {"alpha", "beta"}) ASSERT_TRUE(projects_->create(name, "").ok());
    auto backend = std::make_unique<ScriptedBackend>();
    backend_ = backend.get();
    ContainerManagerOptions options;
    options.idle_suspend = 0s;
    options.default_limits.memory_bytes = 512LL * 1024 * 1024;
    manager_ = std::make_unique<ContainerManager>(*repositories_.containers, std::move(backend),
                                                  project_resolver(*projects_), options);
  }

  TempDir temp_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> projects_;
  ScriptedBackend* backend_ = nullptr;
  std::unique_ptr<ContainerManager> manager_;
};

TEST_F(ContainerManagerTest, LifecycleStatesAndWhatReachesTheBackend) {
  auto status = manager_->status(std::string("alpha"));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->state, ContainerState::kStopped);

  auto ensured = manager_->ensure(std::string("alpha"));
  ASSERT_TRUE(ensured.ok()) << ensured.error().message;
  EXPECT_EQ(ensured->state, ContainerState::kRunning);
  EXPECT_EQ(ensured->backend, "scripted");
  EXPECT_EQ(ensured->backend_status.enforced, std::vector<std::string>{"memory"});

  auto suspended = manager_->suspend(std::string("alpha"));
  ASSERT_TRUE(suspended.ok()) << suspended.error().message;
  EXPECT_EQ(suspended->state, ContainerState::kSuspended);
  EXPECT_EQ(manager_->suspend(std::string("alpha"))->state, ContainerState::kSuspended)
      << "suspending twice is harmless";

  auto resumed = manager_->resume(std::string("alpha"));
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(resumed->state, ContainerState::kRunning);

  auto destroyed = manager_->destroy(std::string("alpha"));
  ASSERT_TRUE(destroyed.ok()) << destroyed.error().message;
  EXPECT_EQ(destroyed->state, ContainerState::kStopped);

  auto not_running = manager_->suspend(std::string("alpha"));
  ASSERT_FALSE(not_running.ok());
  EXPECT_EQ(not_running.error().code, "not_running");

  const auto calls = backend_->calls();
  EXPECT_NE(std::find(calls.begin(), calls.end(), "suspend alpha"), calls.end());
  EXPECT_NE(std::find(calls.begin(), calls.end(), "destroy alpha"), calls.end());
}

TEST_F(ContainerManagerTest, TheModelCannotRaiseALimitAboveTheOperators) {
  ContainerSettings settings;
  settings.memory_bytes = 1024LL * 1024 * 1024 * 1024;
  auto raised = manager_->ensure(std::string("alpha"), settings);
  ASSERT_FALSE(raised.ok());
  EXPECT_NE(raised.error().message.find("memory"), std::string::npos) << raised.error().message;

  settings.memory_bytes = 256LL * 1024 * 1024;
  auto lowered = manager_->ensure(std::string("alpha"), settings);
  ASSERT_TRUE(lowered.ok()) << lowered.error().message;
  EXPECT_EQ(lowered->limits.memory_bytes, 256LL * 1024 * 1024);
}

// With one lifecycle lock for every project, beta's ensure waited for alpha's slow one.
TEST_F(ContainerManagerTest, OneProjectsSlowLifecycleChangeDoesNotHoldUpAnother) {
  backend_->hold("alpha");
  auto alpha =
      std::async(std::launch::async, [&] { return manager_->ensure(std::string("alpha")); });
  ASSERT_TRUE(backend_->wait_entered("ensure alpha"));

  auto beta = std::async(std::launch::async, [&] { return manager_->ensure(std::string("beta")); });
  ASSERT_EQ(beta.wait_for(10s), std::future_status::ready) << "beta waited for alpha";
  EXPECT_TRUE(beta.get().ok());
  EXPECT_EQ(alpha.wait_for(0s), std::future_status::timeout) << "alpha is still held";

  backend_->release("alpha");
  auto alpha_result = alpha.get();
  EXPECT_TRUE(alpha_result.ok()) << alpha_result.error().message;
}

}  // namespace
}  // namespace benchtop::testing
