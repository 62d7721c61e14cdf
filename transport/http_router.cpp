#include "transport/http_router.h"

#include <nlohmann/json.hpp>

namespace benchtop {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) segments.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return segments;
}

HttpResponse error_response(int status, const std::string& message) {
  return HttpResponse::json(status, nlohmann::json{{"error", message}}.dump());
}

}  // namespace

void HttpRouter::add(std::string method, const std::string& pattern, HttpHandler handler) {
  routes_.push_back(Route{std::move(method), split_path(pattern), std::move(handler)});
}

bool HttpRouter::match(const Route& route, const std::vector<std::string>& path,
                       std::vector<std::pair<std::string, std::string>>& params) {
  params.clear();
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& segment = route.segments[i];
    if (segment == "*" && i + 1 == route.segments.size()) return true;
    if (i >= path.size()) return false;
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      params.emplace_back(segment.substr(1, segment.size() - 2), path[i]);
    } else if (segment != path[i]) {
      return false;
    }
  }
  return route.segments.size() == path.size();
}

HttpResponse HttpRouter::route(const HttpRequest& request) const {
  const std::vector<std::string> path = split_path(request.path);
  std::vector<std::pair<std::string, std::string>> params;
  std::string allowed;
  for (const Route& route : routes_) {
    if (!match(route, path, params)) continue;
    if (route.method == "*" || route.method == request.method) {
      HttpRequest routed = request;
      routed.path_params = std::move(params);
      return route.handler(routed);
    }
    if (allowed.find(route.method) == std::string::npos) {
      allowed += allowed.empty() ? route.method : ", " + route.method;
    }
  }
  if (!allowed.empty()) {
    HttpResponse response = error_response(405, request.method + " is not allowed here");
    response.headers.emplace_back("Allow", allowed);
    return response;
  }
  return error_response(404, "no endpoint at " + request.path);
}

}  // namespace benchtop
