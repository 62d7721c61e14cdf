// A chat run announces live previews: while it goes on, each port that opens in its project's
// sandbox becomes a preview_ready event in the run's stream (the one the chat page reads and
// re-attaches to); once it has ended, nothing more is announced. The sandbox is a probe whose
// answers the test sets; the watch is driven by poll_once.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/chat/chat_service.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "server/web/chat_api.h"
#include "tests/support/fs_test_support.h"
#include "tests/support/scripted_llm_server.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;
using Ports = PortWatch::Ports;

constexpr const char* kDemoId = "0f8fad5b-d9cb-469f-a165-70867728950e";

struct CollectingWriter : StreamWriter {
  std::string bytes;
  bool write(std::string_view chunk) override {
    bytes.append(chunk);
    return true;
  }
};

class ChatPreviewsTest : public ::testing::Test {
 protected:
  ChatPreviewsTest() : provider_(dirs_.root()), access_(HttpAccessPolicy{}) {
    auto database = Database::open(state_.path() / "benchtop.db", benchtop_migrations());
    EXPECT_TRUE(database) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    LlmConfig config;
    config.base_url = llm_server_.base_url();
    config.model = "scripted";
    config.retry_base_delay = 1ms;
    chat_ = std::make_unique<ChatService>(*repositories_.threads, registry_, provider_,
                                          std::make_unique<OpenAiClient>(config), std::nullopt,
                                          AgentOptions{});
    chat_->set_previews(
        {.ports = &watch_,
         .links = &links_,
         .project_id = [](const std::string& project) -> std::optional<std::string> {
           if (project == "demo" || project == kDemoId) return kDemoId;
           return std::nullopt;
         }});
    register_chat_routes(router_, access_, *chat_,
                         {provider_, [this] { return provider_.projects(); }});
  }

  void set_ports(std::optional<Ports> ports) {
    std::lock_guard lock(mutex_);
    ports_ = std::move(ports);
  }
  int asked() {
    std::lock_guard lock(mutex_);
    return asked_;
  }

  // A run on a new thread of demo whose model answers "Thinking" and then waits until the run is
  // cancelled; returned once that first event is out (the run has subscribed by then).
  std::shared_ptr<ChatRun> start_waiting_run(std::string& thread_id) {
    ScriptedReply slow;
    slow.writes = {text_chunk("Thinking")};
    slow.hang = true;
    llm_server_.push(slow);
    auto thread = chat_->create_thread("demo", "");
    EXPECT_TRUE(thread) << thread.error().message;
    if (!thread) return nullptr;
    thread_id = thread->id;
    auto run = chat_->start(thread_id, "start the dev server");
    EXPECT_TRUE(run) << run.error().message;
    if (!run) return nullptr;
    std::vector<Json> first;
    EXPECT_FALSE((*run)->read(0, first, 10s));
    EXPECT_EQ(first.size(), 1u);
    return *run;
  }

  // The events of `run` after the first `from`, once it has finished.
  static std::vector<Json> events_after(const ChatRun& run, size_t from) {
    std::vector<Json> events;
    while (!run.read(from + events.size(), events, 10s)) {
    }
    return events;
  }

  static std::vector<Json> previews_in(const std::vector<Json>& events) {
    std::vector<Json> previews;
    for (const auto& event : events) {
      if (event["type"] == "preview_ready") previews.push_back(event);
    }
    return previews;
  }

  TempDir state_;
  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_;
  ToolRegistry registry_;
  ScriptedLlmServer llm_server_;
  HttpAccess access_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::mutex mutex_;
  std::optional<Ports> ports_;
  int asked_ = 0;
  PortWatch watch_{[this](const std::string& project_id) -> std::optional<Ports> {
                     std::lock_guard lock(mutex_);
                     EXPECT_EQ(project_id, kDemoId) << "the watch is keyed by project id";
                     ++asked_;
                     return ports_;
                   },
                   std::chrono::milliseconds(0)};
  PreviewLinks links_;
  std::unique_ptr<ChatService> chat_;  // after what it uses
  HttpRouter router_;
};

TEST_F(ChatPreviewsTest, APortThatOpensDuringARunIsAnnouncedInItsStream) {
  links_.serve_on(8765);
  set_ports(Ports{3000});  // listening before the run: not news
  std::string thread_id;
  auto run = start_waiting_run(thread_id);
  ASSERT_TRUE(run);

  set_ports(Ports{3000, 5173});
  watch_.poll_once();
  std::vector<Json> seen;
  ASSERT_FALSE(run->read(1, seen, 10s));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["type"], "preview_ready");
  EXPECT_EQ(seen[0]["port"], 5173);
  const std::string url = seen[0]["url"];
  const std::string prefix =
      std::string("http://p5173-") + kDemoId + ".localhost:8765/?benchtop_pass=";
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
  EXPECT_TRUE(links_.passes().valid(url.substr(prefix.size()), {kDemoId, 5173},
                                    PreviewPasses::Clock::now()));

  // The page re-attaching to the run replays it.
  HttpRequest request;
  request.method = "GET";
  request.path = "/api/threads/" + thread_id + "/events";
  request.headers = {{"Host", "127.0.0.1"}};
  ASSERT_TRUE(chat_->cancel(thread_id));
  HttpResponse replay = router_.route(request);
  ASSERT_EQ(replay.status, 200);
  CollectingWriter writer;
  replay.stream(writer);
  EXPECT_NE(writer.bytes.find("\"type\":\"preview_ready\""), std::string::npos) << writer.bytes;
  EXPECT_NE(writer.bytes.find(url), std::string::npos) << writer.bytes;
}

TEST_F(ChatPreviewsTest, NothingIsAnnouncedOnceTheRunHasEnded) {
  set_ports(Ports{});
  std::string thread_id;
  auto run = start_waiting_run(thread_id);
  ASSERT_TRUE(run);
  ASSERT_TRUE(chat_->cancel(thread_id));
  run->wait();
  const size_t events = events_after(*run, 0).size();

  const int asked_before = asked();
  set_ports(Ports{5173});
  watch_.poll_once();
  EXPECT_EQ(asked(), asked_before) << "the sandbox of an ended run is still watched";
  EXPECT_EQ(events_after(*run, 0).size(), events);
  EXPECT_TRUE(previews_in(events_after(*run, 0)).empty());
}

TEST_F(ChatPreviewsTest, WithoutAnHttpServerTheEventHasNoUrl) {
  set_ports(Ports{});
  std::string thread_id;
  auto run = start_waiting_run(thread_id);
  ASSERT_TRUE(run);
  set_ports(Ports{5173, 8000});
  watch_.poll_once();
  ASSERT_TRUE(chat_->cancel(thread_id));
  const auto previews = previews_in(events_after(*run, 0));
  ASSERT_EQ(previews.size(), 2u);
  EXPECT_EQ(previews[0], (Json{{"type", "preview_ready"}, {"port", 5173}}));
  EXPECT_EQ(previews[1], (Json{{"type", "preview_ready"}, {"port", 8000}}));
}

}  // namespace
}  // namespace benchtop
