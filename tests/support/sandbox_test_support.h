// A data directory, a project service and a container manager on the real bubblewrap backend, for
// tests that start real sandboxes. Tests skip (with the reason) only when bubblewrap cannot create
// namespaces on the machine.
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/mcp/registry/tool_registry.h"
#include "server/project/project_resolver.h"
#include "server/project/project_service.h"
#include "server/sandbox/backends/bwrap_backend.h"
#include "server/sandbox/container_manager.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {

// Polls `condition` until it holds or `limit` passes: for waiting on the kernel (a counter file
// advancing, a process disappearing), never as a fixed pause.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The host pid of a process whose command line (NUL-separated) satisfies `matches`, or -1.
template <typename Predicate>
pid_t find_host_process_where(Predicate matches) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (matches(text)) return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

// The host pid of the process whose command line is exactly `cmdline`, or -1.
inline pid_t find_host_process(const std::string& cmdline) {
  return find_host_process_where([&](const std::string& text) { return text == cmdline; });
}

// Host processes whose command line contains `needle` (NULs shown as spaces).
inline std::vector<int> processes_matching(const std::string& needle) {
  std::vector<int> found;
  DIR* dir = ::opendir("/proc");
  if (!dir) return found;
  while (dirent* entry = ::readdir(dir)) {
    const int pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (cmdline.find(needle) != std::string::npos) found.push_back(pid);
  }
  ::closedir(dir);
  return found;
}

// The real, effective, saved and filesystem uids of a host process, as /proc shows them.
inline std::string host_uids(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Uid:", 0) == 0) return line.substr(4);
  }
  return "";
}

class SandboxFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto usable = BwrapBackend::probe(); !usable) {
      GTEST_SKIP() << "bubblewrap cannot create namespaces here: " << usable.error().message;
    }
    open_manager();
    auto project = projects_->create("alpha", "");
    ASSERT_TRUE(project.ok()) << project.error().message;
    alpha_ = *project;
  }

  void TearDown() override { close_manager(); }

  void open_manager(ContainerManagerOptions options = {}, BwrapOptions bwrap = {}) {
    options.idle_suspend = std::chrono::seconds(0);
    options.disk = workspace_disk_;
    options_ = options;
    auto database = Database::open(temp_ / "benchtop.db", benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, temp_ / "workspaces",
                                                 workspace_disk_);
    manager_ = std::make_unique<ContainerManager>(
        *repositories_.containers,
        std::make_unique<BwrapBackend>(CgroupHost::detect(), "benchtop-test", std::move(bwrap),
                                       supervised_options()),
        project_resolver(*projects_), options);
  }

  // Destroys every container this test made, then the services (as a server shutdown would).
  void close_manager() {
    if (manager_ && projects_) {
      if (auto all = projects_->list(); all.ok()) {
        for (const auto& project : *all) (void)manager_->destroy(project.id);
      }
    }
    manager_.reset();
    projects_.reset();
    repositories_ = {};
    database_.reset();
  }

  ExecResult exec(const std::string& project, const std::string& command,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    ExecRequest request;
    request.command = command;
    request.timeout = timeout;
    auto result = manager_->run(project, request, CancellationToken());
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(result).value() : ExecResult{};
  }

  // Each test's sandboxes keep their state (supervisor sockets, homes) in its own directory.
  SupervisedOptions supervised_options() const {
    SupervisedOptions options;
    options.state_root = temp_ / "sandboxes";
    options.supervisor_program = BENCHTOP_SANDBOX_BINARY;
    return options;
  }

  TempDir temp_;
  WorkspaceDisk* workspace_disk_ = nullptr;  // set before open_manager to cap new workspaces
  ContainerManagerOptions options_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> projects_;
  std::unique_ptr<ContainerManager> manager_;
  Project alpha_;
};

// The same, with a tool registry to call tools through (schemas validated on the way in and out).
class SandboxToolFixture : public SandboxFixture {
 protected:
  ToolResult call(const std::string& name, const nlohmann::json& arguments,
                  ToolContext context = {}) {
    auto result = registry_.call(name, arguments, context);
    EXPECT_TRUE(result.has_value()) << name;
    return result ? *result : ToolResult::error("no such tool");
  }

  static std::string text_of(const ToolResult& result) {
    return result.content.at(0).value("text", "");
  }

  ToolRegistry registry_;
};

}  // namespace benchtop::testing
