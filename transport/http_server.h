// A small HTTP server interface over cpp-httplib, which only http_server.cpp includes: requests
// in, responses out, with an optional streamed body for Server-Sent Events.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace benchtop {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string body;
  std::string remote_address;
  std::vector<std::pair<std::string, std::string>> headers;
  // Decoded query-string parameters, in order.
  std::vector<std::pair<std::string, std::string>> query;
  // Values of `{name}` segments, set by HttpRouter.
  std::vector<std::pair<std::string, std::string>> path_params;

  // The first value of a header, matched case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  std::optional<std::string> path_param(std::string_view name) const;
};

// Writes chunks of a streamed body. write() returns false once the client has gone away.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  virtual bool write(std::string_view chunk) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the status and headers are sent first and this produces the body, on the request's
  // own thread, until it returns. Used for SSE streams.
  std::function<void(StreamWriter&)> stream;

  static HttpResponse json(int status, std::string body);
  static HttpResponse empty(int status);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 8765;      // 0: any free port
    size_t threads = 64;  // each open stream holds one
    size_t max_body_bytes = 16 * 1024 * 1024;
    int read_timeout_seconds = 30;
  };

  HttpServer(Options options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the bound port.
  Result<int> bind();
  // Serves until stop() is called (from another thread or a signal watcher).
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace benchtop
