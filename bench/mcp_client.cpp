#include "bench/mcp_client.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace benchtop::bench {
namespace {

constexpr size_t kReadChunk = 256 * 1024;

}  // namespace

McpClient::McpClient(int to_server, int from_server, std::chrono::milliseconds timeout)
    : to_server_(to_server), from_server_(from_server), timeout_(timeout) {}

Status McpClient::write_all(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(to_server_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::make(std::string("write to server: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<std::string_view> McpClient::read_line() {
  for (;;) {
    const size_t unread = end_ - line_start_;
    if (scanned_ < unread) {
      const char* base = buffer_.data() + line_start_;
      const void* newline = std::memchr(base + scanned_, '\n', unread - scanned_);
      if (newline != nullptr) {
        const size_t length = static_cast<const char*>(newline) - base;
        std::string_view line(base, length);
        line_start_ += length + 1;
        scanned_ = 0;
        return line;
      }
      scanned_ = unread;
    }
    // Move the partial line to the front, then make room for one more chunk.
    if (line_start_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + line_start_, unread);
      line_start_ = 0;
      end_ = unread;
    }
    if (buffer_.size() - end_ < kReadChunk)
      buffer_.resize(std::max(2 * buffer_.size(), end_ + kReadChunk));

    pollfd entry{from_server_, POLLIN, 0};
    const int ready = poll(&entry, 1, static_cast<int>(timeout_.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return Error::make("no answer from the server within the time limit");
    if (ready < 0) return Error::make(std::string("poll: ") + std::strerror(errno));
    const ssize_t n = ::read(from_server_, buffer_.data() + end_, buffer_.size() - end_);
    if (n == 0) return Error::make("the server closed its stdout");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Error::make(std::string("read from server: ") + std::strerror(errno));
    }
    end_ += static_cast<size_t>(n);
    bytes_received_ += static_cast<uint64_t>(n);
  }
}

Status McpClient::answer_server_request(std::string_view line) {
  auto message = nlohmann::json::parse(line, nullptr, false);
  if (message.is_discarded() || !message.contains("id")) return {};
  nlohmann::json reply = {{"jsonrpc", "2.0"}, {"id", message["id"]}};
  if (message.value("method", "") == "ping") {
    reply["result"] = nlohmann::json::object();
  } else {
    reply["error"] = {{"code", -32601}, {"message", "the benchmark client supports no requests"}};
  }
  return write_all(reply.dump() + "\n");
}

Result<Response> McpClient::next_response() {
  for (;;) {
    auto line = read_line();
    if (!line) return line.take_error();
    const ScannedMessage scan = scan_message(*line);
    if (!scan.well_formed) {
      return Error::make("the server sent a line that is not a JSON object: " +
                         std::string(line->substr(0, 200)));
    }
    if (scan.has_method) {
      if (scan.id) {
        if (auto status = answer_server_request(*line); !status) return status.take_error();
      }
      continue;  // a notification (log message, list_changed): not what we wait for
    }
    return Response{*line, scan};
  }
}

std::string McpClient::prepare_tool_call(std::string_view tool, const nlohmann::json& arguments) {
  return nlohmann::json{{"name", tool}, {"arguments", arguments}}.dump();
}

Status McpClient::send_prepared(const std::string& prepared_params, int64_t id) {
  out_.clear();
  out_ += R"({"jsonrpc":"2.0","id":)";
  out_ += std::to_string(id);
  out_ += R"(,"method":"tools/call","params":)";
  out_ += prepared_params;
  out_ += "}\n";
  return write_all(out_);
}

Result<nlohmann::json> McpClient::call(std::string_view method, const nlohmann::json& params) {
  const int64_t id = take_id();
  nlohmann::json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  if (auto status = write_all(request.dump() + "\n"); !status) return status.take_error();
  for (;;) {
    auto response = next_response();
    if (!response) return response.take_error();
    if (response->scan.id != id) continue;  // a late answer to an earlier request
    auto parsed = nlohmann::json::parse(response->line, nullptr, false);
    if (parsed.is_discarded()) return Error::make("unparseable response to " + std::string(method));
    if (parsed.contains("error")) {
      return Error::make(std::string(method) + " failed: " + parsed["error"].dump());
    }
    return std::move(parsed["result"]);
  }
}

Result<nlohmann::json> McpClient::initialize() {
  auto result =
      call("initialize", {{"protocolVersion", kProtocolVersion},
                          {"capabilities", nlohmann::json::object()},
                          {"clientInfo", {{"name", "mcp_stdio_bench"}, {"version", "1"}}}});
  if (!result) return result;
  const std::string initialized = R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                                  "\n";
  if (auto status = write_all(initialized); !status) return status.take_error();
  return result;
}

}  // namespace benchtop::bench
