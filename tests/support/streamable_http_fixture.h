// A Streamable HTTP endpoint over a real engine and registry, driven through
// StreamableHttp::handle() with in-process requests: for tests of sessions and of the transport's
// HTTP rules. Tools: `hold` (quick) and `block` (long-running) wait for the probe; `count` counts.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "server/mcp/http/streamable_http.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/sessions/session_store.h"
#include "server/mcp/workers/worker_pool.h"
#include "tests/support/test_mcp_client.h"
#include "tests/support/blocking_tool.h"

namespace benchtop::testing {

using nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* kVersion = "2025-11-25";

class StreamableHttpFixture : public ::testing::Test {
 protected:
  // A server whose session table holds `max_sessions`, with a quick pool of `quick_threads`.
  void start(size_t max_sessions, size_t quick_threads = 4,
             LongCallLimits limits = LongCallLimits{}) {
    sessions_ = std::make_unique<SessionStore>(kIdleTimeout, max_sessions, kHandshakeTimeout);
    tools_.add(probe_.tool("hold", ToolExecution::kQuick));
    tools_.add(probe_.tool("block", ToolExecution::kLongRunning));
    Tool count;
    count.name = "count";
    count.title = "Count";
    count.description = "Counts its calls.";
    count.input_schema = {{"type", "object"}, {"properties", json::object()}};
    count.handler = [this](const json&, ToolContext&) {
      ++counted_;
      return ToolResult::text("counted");
    };
    tools_.add(std::move(count));
    workers_ = std::make_unique<WorkerPool>(quick_threads);
    server_ = std::make_unique<McpServer>(ServerIdentity{"t", "t", "1", "", {}}, tools_, *workers_);
    server_->set_long_call_limits(limits);
    StreamableHttpOptions options;
    options.json_window = 20ms;  // a blocked call switches to its (unread) stream soon
    http_ = std::make_unique<StreamableHttp>(*server_, HttpAccess(HttpAccessPolicy{}), *sessions_,
                                             options);
  }

  void TearDown() override {
    probe_.release();
    if (workers_) workers_->wait_idle();
    http_.reset();
    server_.reset();
    workers_.reset();
  }

  static HttpRequest request(const std::string& method, const std::string& session,
                             const json& body = nullptr) {
    HttpRequest request;
    request.method = method;
    request.path = "/mcp";
    if (!body.is_null()) request.body = body.dump();
    request.remote_address = "127.0.0.1";
    request.headers = {{"Host", "127.0.0.1:1"},
                       {"Content-Type", "application/json"},
                       {"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) request.headers.emplace_back("Mcp-Session-Id", session);
    return request;
  }

  HttpResponse post(const std::string& session, const json& body) {
    return http_->handle(request("POST", session, body));
  }

  // initialize, and (when `confirm`) notifications/initialized. Returns the session id; empty,
  // with a test failure, when the server refused.
  std::string open_session(bool confirm = true) {
    HttpResponse response =
        post("", jsonrpc::make_request(1, "initialize",
                                       {{"protocolVersion", kVersion},
                                        {"capabilities", json::object()},
                                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
    std::string id;
    for (const auto& [name, value] : response.headers) {
      if (name == "Mcp-Session-Id") id = value;
    }
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_FALSE(id.empty()) << response.body;
    if (confirm && !id.empty()) {
      EXPECT_EQ(post(id, jsonrpc::make_notification("notifications/initialized", nullptr)).status,
                202);
    }
    return id;
  }

  // The HTTP status of a tools/list in `session`: 200 while it lives, 404 once it is gone.
  int list_status(const std::string& session) {
    return post(session, jsonrpc::make_request(2, "tools/list", json::object())).status;
  }

  // Starts a call that stays in flight (its SSE stream is never read).
  void start_call(const std::string& session, const std::string& tool, int id = 3) {
    HttpResponse response = post(
        session,
        jsonrpc::make_request(id, "tools/call", {{"name", tool}, {"arguments", json::object()}}));
    EXPECT_EQ(response.status, 200) << response.body;
  }

  static constexpr std::chrono::seconds kIdleTimeout{1800};
  static constexpr std::chrono::seconds kHandshakeTimeout{60};

  BlockingProbe probe_;
  std::atomic<int> counted_{0};
  ToolRegistry tools_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<StreamableHttp> http_;
};

}  // namespace benchtop::testing
