// 2025-11-25 SSE details of the Streamable HTTP transport, driven through StreamableHttp::handle()
// with in-process requests: the priming event and retry field, event ids, and a GET with
// Last-Event-ID that continues a stream the server ended early.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/mcp/http/streamable_http.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/sessions/session_store.h"
#include "server/mcp/workers/worker_pool.h"
#include "tests/support/test_mcp_client.h"

namespace benchtop {
namespace {

using nlohmann::json;

// Collects what a streamed response writes.
class RecordingWriter : public StreamWriter {
 public:
  bool write(std::string_view chunk) override {
    text += chunk;
    return true;
  }
  std::string text;
};

// Lets the test decide when the tool may finish.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    changed.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, test::kReplyDeadline, [&] { return open; });
  }
};

class ResumeTest : public ::testing::Test {
 protected:
  ResumeTest() : workers_(2), sessions_(std::chrono::seconds(60)) {
    Tool tool;
    tool.name = "poll";
    tool.title = "Poll";
    tool.description = "Ends its stream, then answers once the gate opens.";
    tool.input_schema = {{"type", "object"}, {"properties", json::object()}};
    tool.handler = [this](const json&, ToolContext& context) {
      context.report_progress(1, 2, "started");
      context.close_stream();
      gate_.wait();
      context.report_progress(2, 2, "finishing");
      return ToolResult::text("finished");
    };
    tools_.add(std::move(tool));
    server_ = std::make_unique<McpServer>(ServerIdentity{"t", "", "1", "", {}}, tools_, workers_);
    StreamableHttpOptions options;
    options.sse_retry = std::chrono::milliseconds(750);
    http_ = std::make_unique<StreamableHttp>(*server_, HttpAccess(HttpAccessPolicy{}), sessions_,
                                             options);
  }
  ~ResumeTest() override {
    gate_.release();
    workers_.wait_idle();
  }

  HttpRequest request(const std::string& method, const std::string& body = {}) {
    HttpRequest request;
    request.method = method;
    request.path = "/mcp";
    request.body = body;
    request.headers = {{"Host", "127.0.0.1:1"},
                       {"Content-Type", "application/json"},
                       {"Accept", "application/json, text/event-stream"}};
    if (!session_.empty()) request.headers.emplace_back("Mcp-Session-Id", session_);
    return request;
  }

  void initialize(const std::string& version) {
    HttpResponse response =
        http_->handle(request("POST", jsonrpc::serialize(jsonrpc::make_request(
                                          1, "initialize",
                                          {{"protocolVersion", version},
                                           {"capabilities", json::object()},
                                           {"clientInfo", {{"name", "t"}, {"version", "1"}}}}))));
    ASSERT_EQ(response.status, 200) << response.body;
    for (const auto& [name, value] : response.headers) {
      if (name == "Mcp-Session-Id") session_ = value;
    }
    ASSERT_FALSE(session_.empty());
  }

  HttpResponse call_poll() {
    return http_->handle(request(
        "POST", jsonrpc::serialize(jsonrpc::make_request(7, "tools/call",
                                                         {{"name", "poll"},
                                                          {"arguments", json::object()},
                                                          {"_meta", {{"progressToken", "p"}}}}))));
  }

  Gate gate_;
  ToolRegistry tools_;
  WorkerPool workers_;
  SessionStore sessions_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<StreamableHttp> http_;
  std::string session_;
};

std::vector<std::string> field_values(const std::string& text, const std::string& field) {
  std::vector<std::string> out;
  size_t position = 0;
  const std::string prefix = field + ": ";
  while ((position = text.find(prefix, position)) != std::string::npos) {
    if (position == 0 || text[position - 1] == '\n') {
      const size_t end = text.find('\n', position);
      out.push_back(text.substr(position + prefix.size(), end - position - prefix.size()));
    }
    position += prefix.size();
  }
  return out;
}

TEST_F(ResumeTest, StreamEndedEarlyContinuesOnAGetWithLastEventId) {
  initialize("2025-11-25");
  HttpResponse posted = call_poll();
  ASSERT_EQ(posted.content_type, "text/event-stream");
  ASSERT_TRUE(posted.stream);
  RecordingWriter first;
  posted.stream(first);  // returns when the tool closes the stream
  // The priming event comes first: an id, the retry delay and empty data.
  const auto ids = field_values(first.text, "id");
  ASSERT_GE(ids.size(), 1u) << first.text;
  EXPECT_EQ(first.text.rfind("id: " + ids[0] + "\nretry: 750\ndata: \n\n", 0), 0u) << first.text;
  EXPECT_EQ(first.text.find("finished"), std::string::npos) << first.text;

  gate_.release();
  HttpRequest resume = request("GET");
  resume.headers.emplace_back("Last-Event-ID", ids.back());
  HttpResponse resumed = http_->handle(resume);
  ASSERT_EQ(resumed.status, 200) << resumed.body;
  ASSERT_TRUE(resumed.stream);
  RecordingWriter second;
  resumed.stream(second);  // returns after the response
  const auto data = field_values(second.text, "data");
  ASSERT_FALSE(data.empty()) << second.text;
  json last = json::parse(data.back());
  EXPECT_EQ(last["id"], 7) << second.text;
  EXPECT_EQ(last["result"]["content"][0]["text"], "finished");
  // Events the first connection already delivered are not repeated.
  if (ids.size() > 1) {
    EXPECT_EQ(second.text.find("\"started\""), std::string::npos) << second.text;
  }
  // Every event of the resumed stream has an id of the same stream, numbered on.
  const auto resumed_ids = field_values(second.text, "id");
  ASSERT_FALSE(resumed_ids.empty());
  EXPECT_EQ(resumed_ids.back().substr(0, resumed_ids.back().find(':')),
            ids[0].substr(0, ids[0].find(':')));
}

// Messages the client did not ask for (a subscribed resource changed) go out on the session's
// GET stream.
TEST_F(ResumeTest, TheGetStreamCarriesResourceUpdatesOfASubscribedSession) {
  initialize("2025-11-25");
  const std::string uri = "file:///watched.txt";
  HttpResponse subscribed = http_->handle(request(
      "POST", jsonrpc::serialize(jsonrpc::make_request(2, "resources/subscribe", {{"uri", uri}}))));
  ASSERT_EQ(subscribed.status, 200) << subscribed.body;

  HttpRequest get = request("GET");
  HttpResponse stream = http_->handle(get);
  ASSERT_EQ(stream.status, 200) << stream.body;
  ASSERT_TRUE(stream.stream);

  // Records the stream; leaves (a failed write) once the update has come.
  class UntilUpdate : public StreamWriter {
   public:
    bool write(std::string_view chunk) override {
      std::lock_guard lock(mutex);
      text += chunk;
      if (!open) {
        open = true;
        changed.notify_all();
      }
      return text.find("notifications/resources/updated") == std::string::npos;
    }
    std::mutex mutex;
    std::condition_variable changed;
    std::string text;
    bool open = false;
  } writer;
  std::thread streaming([&] { stream.stream(writer); });
  {
    // The stream registers itself before its first write (a keep-alive comment).
    std::unique_lock lock(writer.mutex);
    ASSERT_TRUE(writer.changed.wait_for(lock, test::kReplyDeadline, [&] { return writer.open; }));
  }
  server_->notify_resource_updated("file:///not-subscribed.txt");
  server_->notify_resource_updated(uri);
  streaming.join();
  EXPECT_EQ(writer.text.find("not-subscribed"), std::string::npos) << writer.text;
  const auto data = field_values(writer.text, "data");
  ASSERT_EQ(data.size(), 1u) << writer.text;
  const json message = json::parse(data[0]);
  EXPECT_EQ(message["method"], "notifications/resources/updated");
  EXPECT_EQ(message["params"]["uri"], uri);
}

TEST_F(ResumeTest, AnotherSessionCannotResumeTheStream) {
  initialize("2025-11-25");
  HttpResponse posted = call_poll();
  RecordingWriter first;
  posted.stream(first);
  const auto ids = field_values(first.text, "id");
  ASSERT_FALSE(ids.empty());
  const std::string mine = session_;
  session_.clear();
  initialize("2025-11-25");
  ASSERT_NE(session_, mine);
  HttpRequest resume = request("GET");
  resume.headers.emplace_back("Last-Event-ID", ids.back());
  HttpResponse other = http_->handle(resume);
  // Not this session's stream: a plain standalone stream, which carries none of its events.
  ASSERT_TRUE(other.stream);
  http_->shutdown();
  RecordingWriter writer;
  other.stream(writer);
  EXPECT_EQ(writer.text.find("data:"), std::string::npos) << writer.text;
}

TEST_F(ResumeTest, OlderRevisionsGetNoPrimingEvent) {
  initialize("2025-06-18");
  gate_.release();
  HttpResponse posted = call_poll();
  ASSERT_TRUE(posted.stream);
  RecordingWriter writer;
  posted.stream(writer);
  EXPECT_TRUE(field_values(writer.text, "retry").empty()) << writer.text;
  EXPECT_TRUE(field_values(writer.text, "id").empty()) << writer.text;
  EXPECT_NE(writer.text.find("finished"), std::string::npos) << writer.text;
}

}  // namespace
}  // namespace benchtop
