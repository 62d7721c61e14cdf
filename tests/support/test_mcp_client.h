// A minimal MCP client for protocol tests: sends requests over a Connection, reads the server's
// messages on its own thread, and hands back each response with the notifications that arrived
// before it. Every wait has a generous deadline so that a server that never answers fails the
// test instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "transport/connection.h"
#include "transport/json_rpc.h"

namespace benchtop::test {

// Only a guard against a server that never answers; no test relies on it for ordering.
inline constexpr std::chrono::seconds kReplyDeadline{20};

inline constexpr const char* kModernVersion = "2026-07-28";

class TestMcpClient {
 public:
  struct Reply {
    nlohmann::json response;                    // null when none arrived before the deadline
    std::vector<nlohmann::json> notifications;  // in arrival order, before the response
  };

  explicit TestMcpClient(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)), reader_([this] { read_loop(); }) {}

  ~TestMcpClient() {
    close();
    reader_.join();
  }

  TestMcpClient(const TestMcpClient&) = delete;
  TestMcpClient& operator=(const TestMcpClient&) = delete;

  // From now on every request carries the 2026-07-28 per-request _meta.
  void use_modern(std::string version = kModernVersion) { modern_version_ = std::move(version); }

  // The client capabilities sent in modern _meta (when a request does not name its own).
  void set_modern_capabilities(nlohmann::json capabilities) {
    modern_capabilities_ = std::move(capabilities);
  }

  // The 2025 handshake: initialize, then notifications/initialized. Returns the initialize reply.
  Reply initialize(const std::string& version,
                   nlohmann::json capabilities = nlohmann::json::object()) {
    Reply reply = request("initialize", {{"protocolVersion", version},
                                         {"capabilities", std::move(capabilities)},
                                         {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    notify("notifications/initialized");
    return reply;
  }

  // Adds the modern _meta fields when modern mode is on, keeping any _meta already present.
  nlohmann::json with_meta(nlohmann::json params) const {
    if (!modern_version_) return params;
    if (params.is_null()) params = nlohmann::json::object();
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = *modern_version_;
    auto& meta = params["_meta"];
    if (!meta.contains("io.modelcontextprotocol/clientCapabilities")) {
      meta["io.modelcontextprotocol/clientCapabilities"] = modern_capabilities_;
    }
    return params;
  }

  nlohmann::json next_id() { return next_id_++; }

  // Sends a request with a fresh id and waits for its response.
  Reply request(const std::string& method, nlohmann::json params = nlohmann::json::object()) {
    return request_with_id(next_id(), method, std::move(params));
  }
  Reply request_with_id(const nlohmann::json& id, const std::string& method,
                        nlohmann::json params = nlohmann::json::object()) {
    send_request(id, method, std::move(params));
    return await(id);
  }
  void send_request(const nlohmann::json& id, const std::string& method,
                    nlohmann::json params = nlohmann::json::object()) {
    send(jsonrpc::make_request(id, method, with_meta(std::move(params))));
  }
  void notify(const std::string& method, nlohmann::json params = nullptr) {
    send(jsonrpc::make_notification(method, std::move(params)));
  }
  void send(const nlohmann::json& message) { send_text(jsonrpc::serialize(message)); }
  void send_text(std::string_view frame) { EXPECT_TRUE(connection_->write(frame)); }

  // Reads until the response with `id`, collecting notifications on the way. Responses to other
  // requests are kept for their own await().
  Reply await(const nlohmann::json& id) {
    Reply reply;
    if (auto it = stashed_.find(id.dump()); it != stashed_.end()) {
      reply.response = std::move(it->second);
      stashed_.erase(it);
      return reply;
    }
    for (;;) {
      std::optional<nlohmann::json> message = next_message();
      if (!message) {
        ADD_FAILURE() << "no response to request " << id.dump();
        return reply;
      }
      if (message->contains("method")) {
        reply.notifications.push_back(std::move(*message));
      } else if (message->value("id", nlohmann::json()) == id) {
        reply.response = std::move(*message);
        return reply;
      } else {
        // The key first: json's by-value operator= would move the message out before the
        // left-hand side is evaluated.
        const std::string key = message->value("id", nlohmann::json()).dump();
        stashed_[key] = std::move(*message);
      }
    }
  }

  // The next message from the server in wire order, or nullopt at the end of the stream or the
  // deadline.
  std::optional<nlohmann::json> next_message() {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, kReplyDeadline, [&] { return !inbox_.empty() || ended_; })) {
      ADD_FAILURE() << "the server sent nothing within " << kReplyDeadline.count() << " s";
      return std::nullopt;
    }
    if (inbox_.empty()) return std::nullopt;
    nlohmann::json message = std::move(inbox_.front());
    inbox_.pop_front();
    return message;
  }

  // Ends the client's side of the connection; the server sees the end of its input.
  void close() { connection_->close(); }

 private:
  // BENCHTOP_TEST_TRACE=1 prints every server message to stderr, for debugging a failing test.
  void read_loop() {
    for (;;) {
      ReadResult frame = connection_->read();
      const auto* text = std::get_if<std::string>(&frame);
      std::lock_guard lock(mutex_);
      if (!text) {
        ended_ = true;
        arrived_.notify_all();
        return;
      }
      if (std::getenv("BENCHTOP_TEST_TRACE")) std::fprintf(stderr, "<< %s\n", text->c_str());
      nlohmann::json message = nlohmann::json::parse(*text, nullptr, false);
      if (message.is_discarded()) {
        ADD_FAILURE() << "the server sent a line that is not JSON: " << *text;
        continue;
      }
      inbox_.push_back(std::move(message));
      arrived_.notify_all();
    }
  }

  std::unique_ptr<Connection> connection_;
  std::optional<std::string> modern_version_;
  nlohmann::json modern_capabilities_ = nlohmann::json::object();
  int64_t next_id_ = 1;
  std::map<std::string, nlohmann::json> stashed_;

  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<nlohmann::json> inbox_;
  bool ended_ = false;
  std::thread reader_;  // last: starts after every member it uses exists
};

}  // namespace benchtop::test
