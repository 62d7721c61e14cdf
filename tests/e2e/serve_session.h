// A `benchtop serve` child as the end-to-end tests use it: started on a free loopback port, and
// talked to as an MCP client over Streamable HTTP.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "e2e/server_process.h"

namespace benchtop::e2e {

// A 2025-11-25 session with `benchtop serve` over Streamable HTTP.
class HttpSession {
 public:
  using json = nlohmann::json;

  explicit HttpSession(int port, const std::string& token = "") : client_("127.0.0.1", port) {
    client_.set_read_timeout(30, 0);
    if (!token.empty()) client_.set_bearer_token_auth(token);
    json answer = post({{"jsonrpc", "2.0"},
                        {"id", "init"},
                        {"method", "initialize"},
                        {"params",
                         {{"protocolVersion", "2025-11-25"},
                          {"capabilities", json::object()},
                          {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}}}});
    EXPECT_TRUE(answer.contains("result")) << answer;
    post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  json call(const std::string& tool, const json& arguments) {
    json answer = post({{"jsonrpc", "2.0"},
                        {"id", ++next_id_},
                        {"method", "tools/call"},
                        {"params", {{"name", tool}, {"arguments", arguments}}}});
    EXPECT_TRUE(answer.contains("result")) << answer;
    return answer.value("result", json::object());
  }

 private:
  // The JSON-RPC answer, whether it came as JSON or as the last event of an SSE stream.
  json post(const json& message) {
    httplib::Headers headers = {{"Accept", "application/json, text/event-stream"},
                                {"MCP-Protocol-Version", "2025-11-25"}};
    if (!session_.empty()) headers.emplace("Mcp-Session-Id", session_);
    auto response = client_.Post("/mcp", headers, message.dump(), "application/json");
    if (!response) {
      ADD_FAILURE() << "no HTTP answer: " << httplib::to_string(response.error());
      return json::object();
    }
    if (response->has_header("Mcp-Session-Id")) {
      session_ = response->get_header_value("Mcp-Session-Id");
    }
    if (response->body.empty()) return json::object();
    if (response->get_header_value("Content-Type").rfind("text/event-stream", 0) != 0) {
      return json::parse(response->body, nullptr, false);
    }
    json last = json::object();
    size_t at = 0;
    while ((at = response->body.find("data: ", at)) != std::string::npos) {
      const size_t end = response->body.find('\n', at);
      json event = json::parse(response->body.substr(at + 6, end - at - 6), nullptr, false);
      if (event.is_object() && event.contains("id")) last = event;
      at = end;
    }
    return last;
  }

  httplib::Client client_;
  std::string session_;
  int next_id_ = 0;
};

// Starts `benchtop serve` on a free loopback port and returns the port it logged.
inline int start_serve(ServerProcess& serve) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + std::chrono::seconds(20);
  const std::string marker = "listening on http://127.0.0.1:";
  while (Clock::now() < until && serve.running()) {
    const std::string log = serve.stderr_text();
    if (const size_t at = log.find(marker); at != std::string::npos) {
      return std::atoi(log.c_str() + at + marker.size());
    }
    // The server's log is a file: nothing to wait on but the next look at it.
    (void)serve.wait_for_exit(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "serve did not start:\n" << serve.stderr_text();
  return 0;
}

}  // namespace benchtop::e2e
