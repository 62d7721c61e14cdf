// Long-running tool calls through the real registry and engine, over in-memory stdio
// connections: they run apart from the quick pool, so a quick call in another project never waits
// behind them, and what exceeds the per-project, per-client or total cap is refused at once with
// a result the model can act on.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/mcp/connection_server.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/workers/worker_pool.h"
#include "server/project/project_service.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "server/workspace/workspace.h"
#include "tests/support/test_mcp_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/blocking_tool.h"
#include "tools/fs/fs_tools.h"
#include "transport/memory_connection.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;
using test::TestMcpClient;

// One client on its own in-memory connection, served until destruction.
class Connected {
 public:
  explicit Connected(McpServer& server) {
    auto [client_end, server_end] = MemoryConnection::pair();
    server_end_ = std::move(server_end);
    client_ = std::make_unique<TestMcpClient>(std::move(client_end));
    serving_ = std::thread([&server, this] { serve_connection(server, *server_end_); });
    client_->initialize("2025-11-25");
  }
  ~Connected() {
    client_->close();
    serving_.join();
  }
  TestMcpClient& operator*() { return *client_; }
  TestMcpClient* operator->() { return client_.get(); }

 private:
  std::unique_ptr<MemoryConnection> server_end_;
  std::unique_ptr<TestMcpClient> client_;
  std::thread serving_;
};

json call(const std::string& tool, json arguments = json::object()) {
  return {{"name", tool}, {"arguments", std::move(arguments)}};
}

std::string text_of(const json& response) {
  return response["result"]["content"][0].value("text", "");
}

class LongCallsTest : public ::testing::Test {
 protected:
  // A server with `quick_threads` quick-pool threads and the given long-call caps, over projects
  // alpha and beta (beta holding notes.txt).
  void start(size_t quick_threads, LongCallLimits limits, size_t max_queued = 0) {
    auto database = Database::open(temp_ / "benchtop.db", benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, temp_ / "workspaces");
    for (const char* name : {"alpha", "beta", "gamma"}) {
      ASSERT_TRUE(projects_->create(name, "").ok());
    }
    auto beta = projects_->workspace(std::string("beta"));
    ASSERT_TRUE(beta.ok()) << beta.error().message;
    write_file((*beta)->root() / "notes.txt", "quick answer\n");

    register_fs_tools(registry_, *projects_);
    registry_.add(probe_.tool("block", ToolExecution::kLongRunning));
    registry_.add(probe_.tool("hold", ToolExecution::kQuick));
    workers_ = std::make_unique<WorkerPool>(quick_threads, max_queued);
    server_ = std::make_unique<McpServer>(ServerIdentity{"t", "t", "1", "", {}}, registry_, *workers_);
    server_->set_long_call_limits(limits);
  }

  void TearDown() override {
    probe_.release();
    if (workers_) workers_->wait_idle();
    clients_.clear();
    server_.reset();
    workers_.reset();
  }

  TestMcpClient& client(size_t index) {
    while (clients_.size() <= index) clients_.push_back(std::make_unique<Connected>(*server_));
    return **clients_[index];
  }

  // Starts a long call in `project` from client `index`; returns its request id.
  json start_block(size_t index, const std::string& project) {
    const json id = client(index).next_id();
    client(index).send_request(id, "tools/call", call("block", {{"project", project}}));
    return id;
  }

  TempDir temp_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> projects_;
  BlockingProbe probe_;
  ToolRegistry registry_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<McpServer> server_;
  std::vector<std::unique_ptr<Connected>> clients_;
};

// As many long calls as the quick pool has threads, all blocked: on a single shared pool they
// held every thread and fs_read in another project waited for them.
TEST_F(LongCallsTest, QuickCallsInAnotherProjectDoNotWaitBehindLongOnes) {
  constexpr int kQuickThreads = 4;
  start(kQuickThreads, LongCallLimits{.threads = 8, .per_project = 8, .per_client = 8});
  std::vector<json> blocked;
  for (int i = 0; i < kQuickThreads; ++i) blocked.push_back(start_block(0, "alpha"));
  ASSERT_TRUE(probe_.wait_started(kQuickThreads));

  // From the same client and from another one.
  for (size_t index : {0u, 1u}) {
    json read =
        client(index)
            .request("tools/call", call("fs_read", {{"project", "beta"}, {"path", "notes.txt"}}))
            .response;
    ASSERT_TRUE(read.contains("result")) << read;
    EXPECT_NE(text_of(read).find("quick answer"), std::string::npos) << read;
  }
  EXPECT_EQ(probe_.finished(), 0) << "the long calls must still be blocked";

  probe_.release();
  for (const json& id : blocked) {
    json done = client(0).await(id).response;
    EXPECT_EQ(text_of(done), "released") << done;
  }
}

// A flood of quick calls: with every quick thread busy and the queue at its bound, the next call
// is answered at once with "busy, retry" instead of growing the queue without end; the queued
// ones still run.
TEST_F(LongCallsTest, AFullQuickQueueAnswersBusyAtOnce) {
  start(1, LongCallLimits{.threads = 2, .per_project = 8, .per_client = 8}, 2);
  std::vector<json> held;
  held.push_back(client(0).next_id());
  client(0).send_request(held.back(), "tools/call", call("hold", {{"project", "alpha"}}));
  ASSERT_TRUE(probe_.wait_started(1));
  for (int i = 0; i < 2; ++i) {
    held.push_back(client(0).next_id());
    client(0).send_request(held.back(), "tools/call", call("hold", {{"project", "alpha"}}));
  }
  // From the same connection, whose messages are dispatched in order: the two are queued first.
  json busy = client(0).request("tools/call", call("hold", {{"project", "beta"}})).response;
  ASSERT_TRUE(busy.contains("result")) << busy;
  EXPECT_TRUE(busy["result"].value("isError", false)) << busy;
  EXPECT_NE(text_of(busy).find("The server is busy: 2 calls are already waiting"),
            std::string::npos)
      << busy;
  EXPECT_NE(text_of(busy).find("retry"), std::string::npos) << busy;

  probe_.release();
  for (const json& id : held) EXPECT_EQ(text_of(client(0).await(id).response), "released");
  EXPECT_EQ(probe_.started(), 3);
}

TEST_F(LongCallsTest, ThePerProjectCapRefusesTheExcessAtOnce) {
  start(2, LongCallLimits{.threads = 8, .per_project = 2, .per_client = 8});
  start_block(0, "alpha");
  start_block(1, "alpha");
  ASSERT_TRUE(probe_.wait_started(2));

  // A third in alpha, from either client: refused with a result, not queued.
  for (size_t index : {0u, 2u}) {
    json refused =
        client(index).request("tools/call", call("block", {{"project", "alpha"}})).response;
    ASSERT_TRUE(refused.contains("result")) << refused;
    EXPECT_TRUE(refused["result"]["isError"].get<bool>()) << refused;
    const std::string message = text_of(refused);
    EXPECT_NE(message.find("2 long-running calls are already running in project 'alpha'"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("wait for one to finish or cancel it"), std::string::npos) << message;
  }
  EXPECT_EQ(probe_.started(), 2);

  // Another project is not affected.
  start_block(0, "beta");
  ASSERT_TRUE(probe_.wait_started(3));
}

TEST_F(LongCallsTest, ThePerClientCapRefusesTheExcessAtOnce) {
  start(2, LongCallLimits{.threads = 8, .per_project = 8, .per_client = 2});
  start_block(0, "alpha");
  start_block(0, "beta");
  ASSERT_TRUE(probe_.wait_started(2));

  json refused = client(0).request("tools/call", call("block", {{"project", "gamma"}})).response;
  EXPECT_TRUE(refused["result"]["isError"].get<bool>()) << refused;
  EXPECT_NE(text_of(refused).find("you already have 2 long-running calls in progress"),
            std::string::npos)
      << refused;

  // Another client (connection) has its own budget.
  start_block(1, "gamma");
  ASSERT_TRUE(probe_.wait_started(3));
  // Quick calls of the capped client still run.
  json read =
      client(0)
          .request("tools/call", call("fs_read", {{"project", "beta"}, {"path", "notes.txt"}}))
          .response;
  EXPECT_FALSE(read["result"].value("isError", false)) << read;
  EXPECT_NE(text_of(read).find("quick answer"), std::string::npos) << read;
}

TEST_F(LongCallsTest, TheTotalCapRefusesTheExcessAtOnce) {
  start(2, LongCallLimits{.threads = 2, .per_project = 8, .per_client = 8});
  start_block(0, "alpha");
  start_block(1, "beta");
  ASSERT_TRUE(probe_.wait_started(2));
  json refused = client(2).request("tools/call", call("block", {{"project", "gamma"}})).response;
  EXPECT_TRUE(refused["result"]["isError"].get<bool>()) << refused;
  EXPECT_NE(text_of(refused).find("the server is already running 2 long-running calls"),
            std::string::npos)
      << refused;
}

}  // namespace
}  // namespace benchtop::testing
