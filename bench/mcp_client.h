// The smallest MCP client that can drive a stdio server for measurement: newline-delimited
// JSON-RPC over a child's pipes, the 2025-11-25 initialize handshake, and tools/call with any
// number of requests in flight. Messages the server sends on its own (notifications, requests such
// as ping or roots/list) are answered or skipped so they never stall a measurement.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bench/message_scan.h"
#include "common/result.h"

namespace benchtop::bench {

inline constexpr std::string_view kProtocolVersion = "2025-11-25";

struct Response {
  std::string_view line;  // valid until the next read
  ScannedMessage scan;
};

class McpClient {
 public:
  // Does not own the fds (the ChildProcess does).
  McpClient(int to_server, int from_server, std::chrono::milliseconds timeout);

  // initialize + notifications/initialized. Returns the initialize result.
  Result<nlohmann::json> initialize();
  // A request answered before anything else is sent; the result fully parsed.
  Result<nlohmann::json> call(std::string_view method, const nlohmann::json& params);

  // The serialized tools/call request for `tool` with `arguments`, with the id left out so the
  // same text can be reused for thousands of calls: send_prepared() adds the id.
  static std::string prepare_tool_call(std::string_view tool, const nlohmann::json& arguments);
  Status send_prepared(const std::string& prepared_params, int64_t id);
  // The next response to one of our requests, whatever its id.
  Result<Response> next_response();

  int64_t take_id() { return next_id_++; }
  uint64_t bytes_received() const { return bytes_received_; }

 private:
  Status write_all(std::string_view data);
  Result<std::string_view> read_line();
  Status answer_server_request(std::string_view line);

  int to_server_;
  int from_server_;
  std::chrono::milliseconds timeout_;
  int64_t next_id_ = 1;
  // buffer_[line_start_, end_) holds received bytes not yet returned as lines. A vector with an
  // explicit end rather than a growing string: resizing a string zero-fills, per read.
  std::vector<char> buffer_;
  size_t line_start_ = 0;
  size_t end_ = 0;
  size_t scanned_ = 0;  // bytes after line_start_ known to hold no newline
  uint64_t bytes_received_ = 0;
  std::string out_;  // reused request buffer
};

}  // namespace benchtop::bench
