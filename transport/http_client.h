// An outgoing HTTP(S) request whose response body is streamed to the caller as it arrives (an
// LLM's Server-Sent Events, for one), and which another thread can abort. Implemented over
// cpp-httplib + OpenSSL in the HTTP module (transport/http_module.h), so code that makes requests
// does not tie the executable to those libraries.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace benchtop {

struct HttpClientRequest {
  std::string origin;  // "https://api.example.com" or "http://127.0.0.1:8080"
  std::string method = "POST";
  std::string path;  // with any query string
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  std::string bearer_token;  // sent as Authorization: Bearer; never logged
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{120'000};  // between two reads of the body
};

struct HttpResponseHead {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  // The first value of a header, matched case-insensitively; "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpExchangeOutcome {
  bool completed = false;       // the whole response was received
  bool got_response = false;    // a status line arrived (the body may still have broken off)
  std::string transport_error;  // why not completed, when it was not
};

class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  // Sends the request and blocks until the response ends, the connection fails, abort() is
  // called, or `on_body` returns false. `on_head` runs once before any body chunk.
  virtual HttpExchangeOutcome run(const std::function<void(const HttpResponseHead&)>& on_head,
                                  const std::function<bool(std::string_view chunk)>& on_body) = 0;
  // Makes a running (or the next) run() return promptly. Safe from any thread.
  virtual void abort() = 0;
};

// A new exchange; fails when the origin is not http(s) or HTTP support cannot be loaded.
Result<std::unique_ptr<HttpExchange>> make_http_exchange(HttpClientRequest request);

}  // namespace benchtop
