// Who may talk to the HTTP endpoint: bearer-token authentication, and Host/Origin validation
// against DNS rebinding (a web page on evil.example resolving its name to 127.0.0.1 must not
// reach a local server: its requests carry a foreign Host and Origin, and are refused with 403).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "transport/http_server.h"

namespace benchtop {

struct HttpAccessPolicy {
  bool loopback_bind = true;                 // bound to 127.0.0.0/8, ::1 or localhost
  std::string token;                         // empty: no authentication (loopback only)
  std::vector<std::string> allowed_origins;  // exact origins, e.g. "https://app.example"
  std::vector<std::string> allowed_hosts;    // Host values (with or without port)
};

struct AccessDecision {
  int status = 0;  // 0: allowed; otherwise 401 or 403
  std::string message;
};

class HttpAccess {
 public:
  explicit HttpAccess(HttpAccessPolicy policy) : policy_(std::move(policy)) {}

  AccessDecision check(const HttpRequest& request) const;
  // The origin to echo in CORS headers, when the request carries an allowed one.
  std::optional<std::string> allowed_origin(const HttpRequest& request) const;

  static bool is_loopback_host(const std::string& host);

  // Wraps a handler of a non-MCP endpoint (chat API, admin, page) so that it runs only for
  // requests this policy admits; others get the same 401/403 as /mcp, as a JSON {"error": ...}.
  HttpHandler guard(HttpHandler handler) const;

 private:
  bool host_allowed(const std::string& host_header) const;
  bool origin_allowed(const std::string& origin) const;

  HttpAccessPolicy policy_;
};

}  // namespace benchtop
