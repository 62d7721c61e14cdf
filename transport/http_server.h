// A small HTTP server interface, implemented in the HTTP module (transport/http_module.h): requests
// in, responses out, with an optional streamed body for Server-Sent Events.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"
#include "common/unique_fd.h"

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
  // Cancelled when the client closes its connection (or the server drops it) before the response
  // is complete: work done only for this request can stop.
  CancellationToken client_gone;

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

// A request that another server answers (a live preview's dev server): its head only, since the
// body, if any, is passed on unread.
struct TunnelRequest {
  HttpRequest head;       // method, decoded path and query, headers; no body
  std::string target;     // the request target as sent, not decoded
  unsigned version = 11;  // 10 or 11
};

// What becomes of a TunnelRequest: answered here (`response` set: refused, redirected), or
// carried to `upstream`, a connected stream socket, starting with `head` (the request head as the
// upstream should see it, ending with its blank line).
struct TunnelAnswer {
  std::optional<HttpResponse> response;
  UniqueFd upstream;
  std::string head;
};

// Requests routed by their Host header to tunnels instead of handlers.
struct HttpTunnels {
  // Whether requests naming this Host header value go to `open`; runs on the I/O thread, so it
  // must only parse.
  std::function<bool(std::string_view host)> claims;
  // Decides, on a handler thread (it may block briefly, e.g. to connect).
  std::function<TunnelAnswer(const TunnelRequest&)> open;
  // A tunnel with no bytes either way for this long is closed.
  std::chrono::milliseconds idle_timeout{std::chrono::hours(1)};
};

class HttpServer {
 public:
  // Only complete requests reach a handler: reading one is bounded by deadlines for the whole
  // header and the whole body (not per read), so a slow client holds no thread and, with the
  // connection caps, cannot starve others.
  struct Options {
    std::string host = "127.0.0.1";
    int port = 8765;       // 0: any free port
    size_t threads = 128;  // most handlers running at once (started on demand); a stream holds one
    size_t max_body_bytes = 16 * 1024 * 1024;
    // From accept (or a keep-alive request's first byte) to the end of the header.
    std::chrono::milliseconds header_timeout{10'000};
    // From the end of the header to the end of the body, extended by the time the bytes received
    // so far take at min_body_rate (Apache mod_reqtimeout's MinRate): a large body sent at a
    // reasonable rate completes, a trickle is cut off.
    std::chrono::milliseconds body_timeout{20'000};
    size_t min_body_rate = 64 * 1024;  // bytes per second
    // How long a kept-alive connection may wait for its next request.
    std::chrono::milliseconds idle_timeout{30'000};
    // Each write of a response (each event of a stream) to a client that does not read.
    std::chrono::milliseconds write_timeout{30'000};
    // Open connections, in total and per client address (per /64 for IPv6). Beyond them a new
    // connection gets 503 and is closed at once.
    size_t max_connections = 512;
    size_t max_connections_per_peer = 64;
    // Paths whose handler never blocks (e.g. /healthz): answered as soon as they are read,
    // without waiting for a handler thread, so they answer however busy the handlers are.
    std::vector<std::string> inline_paths;
    // Hosts served by tunnelling (unset: none).
    HttpTunnels tunnels;
  };

  HttpServer(const Options& options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the bound port.
  Result<int> bind();
  // Serves until stop() is called (from another thread or a signal watcher); a stop() that comes
  // first makes it return at once. Returns once every handler has returned.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace benchtop
