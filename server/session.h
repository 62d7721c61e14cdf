// What the server remembers about one client: for stdio, the process's peer; for Streamable HTTP
// on a 2025 revision, one Mcp-Session-Id. Modern (2026-07-28) requests carry everything in _meta
// and use a throwaway session. Also tracks the requests in flight so they can be cancelled.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/cancellation.h"

namespace benchtop {

class Session {
 public:
  explicit Session(std::string id = {}) : id_(std::move(id)) { touch(); }

  const std::string& id() const { return id_; }

  // Legacy handshake state.
  void set_initialized(std::string version, nlohmann::json capabilities, nlohmann::json info);
  bool initialized() const;
  std::string protocol_version() const;
  nlohmann::json client_capabilities() const;

  // In-flight requests, keyed by the request id's JSON text. Returns false when the id is already
  // in flight (a client error).
  bool begin_request(const nlohmann::json& id, const CancellationSource& source);
  void end_request(const nlohmann::json& id);
  // Cancels one request (notifications/cancelled) or all (connection closed).
  void cancel_request(const nlohmann::json& id);
  void cancel_all();
  size_t in_flight() const;

  void touch();
  std::chrono::steady_clock::time_point last_active() const;

 private:
  const std::string id_;
  mutable std::mutex mutex_;
  bool initialized_ = false;
  std::string protocol_version_;
  nlohmann::json client_capabilities_ = nlohmann::json::object();
  nlohmann::json client_info_ = nlohmann::json::object();
  std::map<std::string, CancellationSource> in_flight_;
  std::chrono::steady_clock::time_point last_active_;
};

}  // namespace benchtop
