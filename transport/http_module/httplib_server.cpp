// The HTTP server over cpp-httplib: maps httplib's requests to HttpRequest and back, streams SSE
// bodies through chunked responses. Part of the HTTP module (see transport/http_module.h).
#include "transport/http_module/httplib_server.h"

#include <httplib.h>

namespace benchtop {
namespace {

class HttplibServer final : public HttpServerBackend {
 public:
  HttplibServer(HttpServer::Options options, HttpHandler handler);
  ~HttplibServer() override { stop(); }

  Result<int> bind() override;
  void run() override { server_.listen_after_bind(); }
  void stop() override { server_.stop(); }

 private:
  void serve(const httplib::Request& req, httplib::Response& res) {
    HttpRequest request;
    request.method = req.method;
    request.path = req.path;
    request.body = req.body;
    request.remote_address = req.remote_addr;
    request.headers.assign(req.headers.begin(), req.headers.end());
    request.query.assign(req.params.begin(), req.params.end());
    HttpResponse response = handler_(request);

    res.status = response.status;
    for (auto& [key, value] : response.headers) res.set_header(key, value);
    if (response.stream) {
      auto produce =
          std::make_shared<std::function<void(StreamWriter&)>>(std::move(response.stream));
      res.set_chunked_content_provider(response.content_type,
                                       [produce](size_t, httplib::DataSink& sink) {
                                         struct SinkWriter : StreamWriter {
                                           explicit SinkWriter(httplib::DataSink& s) : sink(s) {}
                                           bool write(std::string_view chunk) override {
                                             return sink.write(chunk.data(), chunk.size());
                                           }
                                           httplib::DataSink& sink;
                                         } writer(sink);
                                         (*produce)(writer);
                                         sink.done();
                                         return true;
                                       });
    } else if (!response.body.empty() || !response.content_type.empty()) {
      res.set_content(response.body,
                      response.content_type.empty() ? "text/plain" : response.content_type);
    }
  }

  HttpServer::Options options_;
  HttpHandler handler_;
  httplib::Server server_;
};

HttplibServer::HttplibServer(HttpServer::Options options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
  auto& server = server_;
  const size_t threads = options_.threads;
  // Every open SSE stream holds a pool thread, so the pool is sized well above the number of
  // streams expected; the compile-time default of cpp-httplib would let streams starve requests.
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options_.max_body_bytes);
  server.set_read_timeout(options_.read_timeout_seconds, 0);
  server.set_keep_alive_max_count(1000);
  // Small JSON-RPC replies must not wait for delayed ACKs (Nagle adds ~40 ms per request).
  server.set_tcp_nodelay(true);
  auto route = [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); };
  server.Get(".*", route);
  server.Post(".*", route);
  server.Delete(".*", route);
  server.Put(".*", route);
  server.Patch(".*", route);
  server.Options(".*", route);
  const size_t limit = options_.max_body_bytes;
  server.set_error_handler([limit](const httplib::Request&, httplib::Response& res) {
    if (res.status == 413) {
      res.set_content(
          R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Message too large: the limit is )" +
              std::to_string(limit) + R"( bytes"}})",
          "application/json");
    }
  });
}

Result<int> HttplibServer::bind() {
  if (options_.port == 0) {
    int port = server_.bind_to_any_port(options_.host);
    if (port <= 0) return Error::make("cannot bind " + options_.host + ": address unavailable");
    options_.port = port;
    return port;
  }
  if (!server_.bind_to_port(options_.host, options_.port)) {
    return Error::make("cannot bind " + options_.host + ":" + std::to_string(options_.port) +
                       " (in use, or not a local address)");
  }
  return options_.port;
}

}  // namespace

std::unique_ptr<HttpServerBackend> make_httplib_server(const HttpServer::Options& options,
                                                       HttpHandler handler) {
  return std::make_unique<HttplibServer>(options, std::move(handler));
}

}  // namespace benchtop
