// Routes HTTP requests to handlers by method and path pattern, so that each endpoint family
// (/mcp, the chat API, admin endpoints, the page) registers itself without knowing the others.
// Patterns are literal segments, `{name}` for one segment (available as a path parameter), and a
// final `*` for any remainder.
#pragma once

#include <string>
#include <vector>

#include "transport/http_server.h"

namespace benchtop {

class HttpRouter {
 public:
  // `method` is an HTTP method, or "*" for any. Routes are tried in the order they were added.
  void add(std::string method, const std::string& pattern, HttpHandler handler);

  // 404 when no pattern matches the path, 405 (with Allow) when one matches but not the method.
  HttpResponse route(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    HttpHandler handler;
  };
  static bool match(const Route& route, const std::vector<std::string>& path,
                    std::vector<std::pair<std::string, std::string>>& params);

  std::vector<Route> routes_;
};

}  // namespace benchtop
