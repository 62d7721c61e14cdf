#include "transport/http_server.h"

#include <strings.h>

#include <mutex>

#include "transport/http_module.h"

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
  Result<std::unique_ptr<HttpServerBackend>> backend = Error::make("not created");
};

HttpServer::HttpServer(const Options& options, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  auto module = http_module();
  if (!module) {
    impl_->backend = module.error();
    return;
  }
  impl_->backend = (*module)->make_server(options, std::move(handler));
}

HttpServer::~HttpServer() {
  stop();
}

Result<int> HttpServer::bind() {
  if (!impl_->backend) return impl_->backend.error();
  return (*impl_->backend)->bind();
}

void HttpServer::run() {
  if (impl_->backend) (*impl_->backend)->run();
}

void HttpServer::stop() {
  if (impl_ && impl_->backend) (*impl_->backend)->stop();
}

}  // namespace benchtop
