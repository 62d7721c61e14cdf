// An OpenAI-compatible Chat Completions server on loopback that replays scripted streaming
// answers, for tests of the LLM client and the agent loop. It is a real HTTP server (benchtop's
// own, over cpp-httplib) listening on a free port on its own thread; it records every request.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "transport/http_server.h"

namespace benchtop::testing {

// One scripted answer.
struct ScriptedReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                 // for non-200 answers
  std::vector<std::string> writes;  // for 200: raw SSE bytes, one network write each
  // Hold the stream open after `writes` until release() or the client goes away.
  bool hang = false;
};

// Raw SSE bytes of one chunk.
inline std::string sse_data(const nlohmann::json& chunk) {
  return "data: " + chunk.dump() + "\n\n";
}
inline std::string text_chunk(const std::string& text) {
  return sse_data({{"choices", {{{"index", 0}, {"delta", {{"content", text}}}}}}});
}
// A fragment of tool call `index`: id and name (first fragment) and/or a piece of arguments.
inline std::string tool_chunk(int index, const std::string& id, const std::string& name,
                              const std::string& arguments_piece) {
  nlohmann::json call = {{"index", index}, {"function", {{"arguments", arguments_piece}}}};
  if (!id.empty()) {
    call["id"] = id;
    call["type"] = "function";
    call["function"]["name"] = name;
  }
  return sse_data({{"choices", {{{"index", 0}, {"delta", {{"tool_calls", {call}}}}}}}});
}
inline std::string finish_chunk(const std::string& reason) {
  return sse_data(
      {{"choices",
        {{{"index", 0}, {"delta", nlohmann::json::object()}, {"finish_reason", reason}}}}});
}
inline std::string usage_chunk(int prompt, int completion) {
  return sse_data({{"choices", nlohmann::json::array()},
                   {"usage",
                    {{"prompt_tokens", prompt},
                     {"completion_tokens", completion},
                     {"total_tokens", prompt + completion}}}});
}
inline std::string done_marker() {
  return "data: [DONE]\n\n";
}

// A refusal: an HTTP error status with a JSON error body.
inline ScriptedReply error_reply(int status, const std::string& message,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  ScriptedReply reply;
  reply.status = status;
  reply.headers = std::move(headers);
  reply.body = nlohmann::json{{"error", {{"message", message}}}}.dump();
  return reply;
}

// A whole streamed text answer, split into words.
inline ScriptedReply text_reply(const std::string& text, int prompt = 10, int completion = 5) {
  ScriptedReply reply;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start + 1);
    if (end == std::string::npos) end = text.size();
    reply.writes.push_back(text_chunk(text.substr(start, end - start)));
    start = end;
  }
  reply.writes.push_back(finish_chunk("stop"));
  reply.writes.push_back(usage_chunk(prompt, completion));
  reply.writes.push_back(done_marker());
  return reply;
}

// One tool call whose JSON arguments arrive in three fragments (split mid-token).
inline ScriptedReply tool_call_reply(const std::string& id, const std::string& name,
                                     const nlohmann::json& arguments) {
  const std::string args = arguments.dump();
  const size_t a = args.size() / 3, b = 2 * args.size() / 3;
  ScriptedReply reply;
  reply.writes = {tool_chunk(0, id, name, args.substr(0, a)),
                  tool_chunk(0, "", "", args.substr(a, b - a)),
                  tool_chunk(0, "", "", args.substr(b)),
                  finish_chunk("tool_calls"),
                  usage_chunk(20, 7),
                  done_marker()};
  return reply;
}

class ScriptedLlmServer {
 public:
  ScriptedLlmServer()
      : server_(options(), [this](const HttpRequest& request) { return handle(request); }) {
    auto port = server_.bind();
    if (!port) throw std::runtime_error(port.error().message);
    port_ = *port;
    thread_ = std::thread([this] { server_.run(); });
    wait_until_serving();
  }
  ~ScriptedLlmServer() {
    release();
    server_.stop();
    thread_.join();
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  void push(ScriptedReply reply) {
    std::lock_guard lock(mutex_);
    replies_.push_back(std::move(reply));
  }
  // Answer used once the queue is empty.
  void set_fallback(ScriptedReply reply) {
    std::lock_guard lock(mutex_);
    fallback_ = std::move(reply);
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

  std::vector<nlohmann::json> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> authorizations() const {
    std::lock_guard lock(mutex_);
    return authorizations_;
  }
  // Waits until a hanging stream's client has gone away (the write failed).
  bool wait_for_hangup(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return hangups_ > 0; });
  }

 private:
  static HttpServer::Options options() {
    HttpServer::Options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 8;
    return o;
  }

  // A stop() that comes before the accept loop has started is lost (the loop would then run
  // forever), so the constructor returns only once a request has been answered.
  void wait_until_serving() const {
    for (int attempt = 0; attempt < 500; ++attempt) {
      UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<uint16_t>(port_));
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) continue;
      const std::string ping =
          "GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      if (::send(fd.get(), ping.data(), ping.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(ping.size())) {
        continue;
      }
      char buffer[256];
      if (::recv(fd.get(), buffer, sizeof buffer, 0) > 0) return;
    }
    throw std::runtime_error("the scripted LLM server does not answer");
  }

  HttpResponse handle(const HttpRequest& request) {
    if (request.path == "/ready") return HttpResponse::json(200, "{}");
    ScriptedReply reply;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(nlohmann::json::parse(request.body, nullptr, false));
      authorizations_.push_back(request.header("Authorization").value_or(""));
      if (request.path != "/v1/chat/completions") {
        return HttpResponse::json(404, R"({"error":{"message":"unknown path"}})");
      }
      if (!replies_.empty()) {
        reply = std::move(replies_.front());
        replies_.pop_front();
      } else if (fallback_) {
        reply = *fallback_;
      } else {
        return HttpResponse::json(500, R"({"error":{"message":"script exhausted"}})");
      }
    }
    if (reply.status != 200) {
      HttpResponse response = HttpResponse::json(reply.status, reply.body);
      response.headers = reply.headers;
      return response;
    }
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.headers = reply.headers;
    response.stream = [this, reply](StreamWriter& writer) {
      for (const auto& bytes : reply.writes) {
        if (!writer.write(bytes)) return;
      }
      if (!reply.hang) return;
      // Keep the stream open; a comment every 20 ms notices a client that has gone away.
      std::unique_lock lock(mutex_);
      while (!released_) {
        changed_.wait_for(lock, std::chrono::milliseconds(20));
        lock.unlock();
        const bool alive = writer.write(": waiting\n\n");
        lock.lock();
        if (!alive) {
          ++hangups_;
          changed_.notify_all();
          return;
        }
      }
    };
    return response;
  }

  HttpServer server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ScriptedReply> replies_;
  std::optional<ScriptedReply> fallback_;
  std::vector<nlohmann::json> requests_;
  std::vector<std::string> authorizations_;
  bool released_ = false;
  int hangups_ = 0;
};

}  // namespace benchtop::testing
