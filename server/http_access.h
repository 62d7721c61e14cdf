// Who may talk to the HTTP endpoint: bearer-token authentication, and Host/Origin validation
// against DNS rebinding (a web page on evil.example resolving its name to 127.0.0.1 must not
// reach a local server: its requests carry a foreign Host and Origin, and are refused with 403).
//
// Two credentials exist. The bearer token (`Authorization: Bearer`) is what MCP clients and scripts
// send, and the only one /mcp and /admin accept. A browser cannot add that header to a page it
// navigates to, so the chat page and /api also accept a session cookie, which a browser gets by
// logging in once with the token (GET /?token=… or the login form). Because a browser attaches
// cookies to cross-site requests too, a cookie-authenticated request that changes state must
// carry an Origin header naming this very server (SameSite=Strict already stops them in current
// browsers; the check does not rely on it).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "server/session_cookie.h"
#include "transport/http_server.h"

namespace benchtop {

struct HttpAccessPolicy {
  bool loopback_bind = true;                 // bound to 127.0.0.0/8, ::1 or localhost
  std::string token;                         // empty: no authentication (loopback only)
  std::vector<std::string> allowed_origins;  // exact origins, e.g. "https://app.example"
  std::vector<std::string> allowed_hosts;    // Host values (with or without port)
  // How long a browser stays logged in after entering the token (the cookie's Max-Age).
  std::chrono::seconds browser_session_lifetime = std::chrono::hours(12);
};

struct AccessDecision {
  int status = 0;  // 0: allowed; otherwise 401 or 403
  std::string message;
};

class HttpAccess {
 public:
  explicit HttpAccess(HttpAccessPolicy policy) : policy_(std::move(policy)) {}

  // Bearer token only (for /mcp and /admin), after the Host and Origin checks.
  AccessDecision check(const HttpRequest& request) const;
  // Bearer token or session cookie (for the chat page and /api), after the Host and Origin
  // checks; a cookie-authenticated request other than GET/HEAD must be same-origin.
  AccessDecision check_browser(const HttpRequest& request) const;
  // Only the Host and Origin checks.
  AccessDecision check_host_and_origin(const HttpRequest& request) const;
  // The origin to echo in CORS headers, when the request carries an allowed one.
  std::optional<std::string> allowed_origin(const HttpRequest& request) const;

  static bool is_loopback_host(const std::string& host);

  // Wraps a handler of a non-MCP endpoint (chat API, admin, page) so that it runs only for
  // requests this policy admits; others get the same 401/403 as /mcp, as a JSON {"error": ...}.
  HttpHandler guard(HttpHandler handler) const;
  // The same for the chat API, admitting a session cookie as well (check_browser).
  HttpHandler guard_browser(HttpHandler handler) const;

  bool token_required() const { return !policy_.token.empty(); }
  // Constant-time comparison with the configured token.
  bool token_matches(std::string_view candidate) const;
  // A `Set-Cookie` value that logs the browser sending `request` in: HttpOnly, SameSite=Strict,
  // Path=/, Max-Age of the policy's lifetime, and Secure when the request came over HTTPS.
  std::string session_cookie(const HttpRequest& request) const;
  // Logs the browser sending `request` out: revokes every session cookie it sent and returns the
  // `Set-Cookie` value that removes the cookie from the browser.
  std::string end_browser_session(const HttpRequest& request) const;

 private:
  bool host_allowed(const std::string& host_header) const;
  bool origin_allowed(const std::string& origin) const;
  bool bearer_valid(const HttpRequest& request) const;
  bool cookie_valid(const HttpRequest& request) const;

  HttpAccessPolicy policy_;
  SessionCookieSigner cookies_;  // copies of this HttpAccess share its key
};

}  // namespace benchtop
