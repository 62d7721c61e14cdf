#include "transport/http_server.h"

#include <httplib.h>
#include <strings.h>

#include <mutex>

namespace benchtop {

std::optional<std::string> HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

namespace {
std::optional<std::string> find_value(const std::vector<std::pair<std::string, std::string>>& pairs,
                                      std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return value;
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string> HttpRequest::query_param(std::string_view name) const {
  return find_value(query, name);
}

std::optional<std::string> HttpRequest::path_param(std::string_view name) const {
  return find_value(path_params, name);
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::empty(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

struct HttpServer::Impl {
  Options options;
  HttpHandler handler;
  httplib::Server server;

  void serve(const httplib::Request& req, httplib::Response& res) {
    HttpRequest request;
    request.method = req.method;
    request.path = req.path;
    request.body = req.body;
    request.remote_address = req.remote_addr;
    request.headers.assign(req.headers.begin(), req.headers.end());
    request.query.assign(req.params.begin(), req.params.end());
    HttpResponse response = handler(request);

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
};

HttpServer::HttpServer(Options options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  auto& server = impl_->server;
  const size_t threads = impl_->options.threads;
  // Every open SSE stream holds a pool thread, so the pool is sized well above the number of
  // streams expected; the compile-time default of cpp-httplib would let streams starve requests.
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(impl_->options.max_body_bytes);
  server.set_read_timeout(impl_->options.read_timeout_seconds, 0);
  server.set_keep_alive_max_count(1000);
  // Small JSON-RPC replies must not wait for delayed ACKs (Nagle adds ~40 ms per request).
  server.set_tcp_nodelay(true);
  auto route = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->serve(req, res);
  };
  server.Get(".*", route);
  server.Post(".*", route);
  server.Delete(".*", route);
  server.Put(".*", route);
  server.Patch(".*", route);
  server.Options(".*", route);
  const size_t limit = impl_->options.max_body_bytes;
  server.set_error_handler([limit](const httplib::Request&, httplib::Response& res) {
    if (res.status == 413) {
      res.set_content(
          R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Message too large: the limit is )" +
              std::to_string(limit) + R"( bytes"}})",
          "application/json");
    }
  });
}

HttpServer::~HttpServer() {
  stop();
}

Result<int> HttpServer::bind() {
  auto& options = impl_->options;
  if (options.port == 0) {
    int port = impl_->server.bind_to_any_port(options.host);
    if (port <= 0) return Error::make("cannot bind " + options.host + ": address unavailable");
    options.port = port;
    return port;
  }
  if (!impl_->server.bind_to_port(options.host, options.port)) {
    return Error::make("cannot bind " + options.host + ":" + std::to_string(options.port) +
                       " (in use, or not a local address)");
  }
  return options.port;
}

void HttpServer::run() {
  impl_->server.listen_after_bind();
}

void HttpServer::stop() {
  if (impl_) impl_->server.stop();
}

}  // namespace benchtop
