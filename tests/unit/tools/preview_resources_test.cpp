// The benchtop-previews://{project} resource: what it reads, how it completes, and that a
// subscription hears of a port opening, through the registry and through a server's
// resources/subscribe. The sandbox is a probe whose answers the test sets.
#include "tools/exec/preview_resources.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "server/mcp/connection_server.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/prompt_registry.h"
#include "server/mcp/workers/worker_pool.h"
#include "server/storage/data_dir.h"
#include "server/storage/sqlite/database.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_mcp_client.h"
#include "transport/memory_connection.h"

namespace benchtop {
namespace {

using nlohmann::json;
using Ports = PortWatch::Ports;

class PreviewResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DataDir data(temp_dir_.path() / "data");
    auto database = Database::open(data.database_file(), benchtop_migrations());
    ASSERT_TRUE(database.ok()) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    projects_ = std::make_unique<ProjectService>(*repositories_.projects, data.workspaces_dir());
    auto demo = projects_->create("demo", "");
    ASSERT_TRUE(demo) << demo.error().message;
    demo_id_ = demo->id;
    ASSERT_TRUE(projects_->create("deploy", ""));
    ASSERT_TRUE(projects_->create("other", ""));
    resources_ = std::make_unique<ResourceRegistry>();
    register_preview_resources(*resources_, *projects_, watch_, links_);
  }

  void set_ports(const std::string& project_id, std::optional<Ports> ports) {
    std::lock_guard lock(mutex_);
    answers_[project_id] = std::move(ports);
  }

  // The JSON document the resource at `uri` holds.
  json read_json(const std::string& uri) {
    ToolContext context;
    auto contents = resources_->read(uri, context);
    EXPECT_TRUE(contents) << contents.error().message;
    if (!contents) return nullptr;
    EXPECT_EQ(contents->size(), 1u);
    EXPECT_EQ((*contents)[0]["uri"], uri);
    EXPECT_EQ((*contents)[0]["mimeType"], "application/json");
    return json::parse((*contents)[0]["text"].get<std::string>());
  }

  testing::TempDir temp_dir_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ProjectService> projects_;
  std::string demo_id_;
  std::mutex mutex_;
  std::map<std::string, std::optional<Ports>> answers_;  // by project id; absent: not running
  PortWatch watch_{[this](const std::string& project_id) -> std::optional<Ports> {
                     std::lock_guard lock(mutex_);
                     auto it = answers_.find(project_id);
                     return it == answers_.end() ? std::nullopt : it->second;
                   },
                   std::chrono::milliseconds(0)};
  PreviewLinks links_;
  std::unique_ptr<ResourceRegistry> resources_;
};

TEST_F(PreviewResourcesTest, ReadsThePortsOfAProjectByNameOrId) {
  const json templates = resources_->list_templates();
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(templates[0]["uriTemplate"], "benchtop-previews://{project}");
  EXPECT_EQ(templates[0]["mimeType"], "application/json");

  // Not running: no ports, and no previews while benchtop serves no HTTP.
  EXPECT_EQ(read_json("benchtop-previews://demo"),
            (json{{"project", demo_id_}, {"ports", json::array()}}));

  set_ports(demo_id_, Ports{8000, 3000});
  EXPECT_EQ(read_json("benchtop-previews://" + demo_id_),
            (json{{"project", demo_id_}, {"ports", {3000, 8000}}}));

  links_.serve_on(8765);
  const json served = read_json("benchtop-previews://demo");
  EXPECT_EQ(served["ports"], json({3000, 8000}));
  ASSERT_EQ(served["previews"].size(), 2u) << served;
  EXPECT_EQ(served["previews"][0]["port"], 3000);
  const std::string url = served["previews"][1]["url"];
  const std::string prefix = "http://p8000-" + demo_id_ + ".localhost:8765/?benchtop_pass=";
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
  EXPECT_TRUE(links_.passes().valid(url.substr(prefix.size()), {demo_id_, 8000},
                                    PreviewPasses::Clock::now()));
}

TEST_F(PreviewResourcesTest, AnUnknownProjectIsNotFound) {
  ToolContext context;
  auto missing = resources_->read("benchtop-previews://nobody", context);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, kResourceNotFound);
  auto watched = resources_->watch("benchtop-previews://nobody", [] {});
  EXPECT_FALSE(watched);
}

TEST_F(PreviewResourcesTest, CompletesProjectNames) {
  auto names = resources_->complete("benchtop-previews://{project}", "project", "de", {});
  ASSERT_TRUE(names);
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"demo", "deploy"}));
  auto nothing = resources_->complete("benchtop-previews://{project}", "other", "", {});
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->empty());
}

TEST_F(PreviewResourcesTest, AWatchHearsOfEachOpenedPortForAsLongAsTheRegistryLives) {
  set_ports(demo_id_, Ports{3000});
  int changes = 0;
  ASSERT_TRUE(resources_->watch("benchtop-previews://demo", [&] { ++changes; }));
  watch_.poll_once();
  EXPECT_EQ(changes, 0) << "what listened when the watch began is not a change";
  set_ports(demo_id_, Ports{3000, 5173});
  watch_.poll_once();
  EXPECT_EQ(changes, 1);
  watch_.poll_once();
  EXPECT_EQ(changes, 1);

  // Another project's port is not this resource's change.
  auto other = projects_->get("other");
  ASSERT_TRUE(other);
  ASSERT_TRUE(resources_->watch("benchtop-previews://other", [] {}));
  set_ports(other->id, Ports{9000});
  watch_.poll_once();
  EXPECT_EQ(changes, 1);

  // The registry keeps its watches' subscriptions; once it is gone they end.
  resources_.reset();
  set_ports(demo_id_, Ports{3000, 5173, 8080});
  watch_.poll_once();
  EXPECT_EQ(changes, 1);
}

// Through a server: a 2025 client subscribes to a project's previews and is told when a port
// opens.
TEST_F(PreviewResourcesTest, ASubscribedClientIsNotifiedWhenAPortOpens) {
  ToolRegistry tools;
  PromptRegistry prompts;
  WorkerPool workers(2);
  McpServer server(ServerIdentity{"previews-test", "", "1.0", "", {}}, tools, *resources_, prompts,
                   workers);
  auto [client_end, server_end] = MemoryConnection::pair(1 << 20);
  test::TestMcpClient client(std::move(client_end));
  std::thread serving(
      [&server, &connection = *server_end] { serve_connection(server, connection); });

  client.initialize("2025-11-25");
  const std::string uri = "benchtop-previews://demo";
  ASSERT_TRUE(client.request("resources/subscribe", {{"uri", uri}}).response.contains("result"));
  set_ports(demo_id_, Ports{5173});
  watch_.poll_once();
  std::optional<json> updated = client.next_message();
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->value("method", ""), "notifications/resources/updated") << *updated;
  EXPECT_EQ((*updated)["params"], (json{{"uri", uri}})) << *updated;

  const json read = client.request("resources/read", {{"uri", uri}}).response;
  EXPECT_EQ(json::parse(read["result"]["contents"][0]["text"].get<std::string>())["ports"],
            json({5173}))
      << read;

  client.close();
  serving.join();
}

}  // namespace
}  // namespace benchtop
