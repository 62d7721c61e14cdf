// Who may talk to the HTTP endpoint: bearer-token authentication, and Host/Origin validation
// against DNS rebinding (a web page on evil.example resolving its name to 127.0.0.1 must not
// reach a local server: its requests carry a foreign Host and Origin, and are refused with 403).
// Both headers are parsed (server/access/http_access_host.h), never matched by prefix. A request
// needs exactly one Host; on a loopback bind it must name a loopback address or `localhost` (or an
// --allowed-host). An Origin, when present, must be an --allowed-origin or the server's own origin
// (same scheme-less host and port as the Host header, with that Host trusted by name): a page
// served by another local web app on another port is a different origin and is refused. CORS
// headers are sent only to --allowed-origin values; same-origin pages need none. POSTs carry JSON
// (has_json_content_type), so no cross-site "simple" request (text/plain, form posts) is accepted.
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

#include "server/access/http_access_host.h"
#include "server/access/session_cookie.h"
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
  explicit HttpAccess(HttpAccessPolicy policy);

  // The first --allowed-host or --allowed-origin entry that does not parse, as a message for the
  // operator; nullopt when all do. Entries that do not parse never match anything.
  static std::optional<std::string> invalid_entry(const HttpAccessPolicy& policy);

  // Bearer token only (for /mcp and /admin), after the Host and Origin checks.
  AccessDecision check(const HttpRequest& request) const;
  // Bearer token or session cookie (for the chat page and /api), after the Host and Origin
  // checks; a cookie-authenticated request other than GET/HEAD must be same-origin.
  AccessDecision check_browser(const HttpRequest& request) const;
  // Only the Host and Origin checks.
  AccessDecision check_host_and_origin(const HttpRequest& request) const;
  // The origin to echo in CORS headers, when the request carries an allowed one.
  std::optional<std::string> allowed_origin(const HttpRequest& request) const;

  // A listen address or Host value names the loopback interface (see http_access_host.h).
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
  // The request's single, well-formed Host, or the refusal.
  std::optional<HostPort> request_host(const HttpRequest& request, AccessDecision& refusal) const;
  bool host_listed(const HostPort& host) const;
  bool host_allowed(const HostPort& host) const;
  bool origin_listed(const Origin& origin) const;
  bool origin_allowed(const Origin& origin, const HostPort& host) const;
  bool bearer_valid(const HttpRequest& request) const;
  bool cookie_valid(const HttpRequest& request) const;

  HttpAccessPolicy policy_;
  std::vector<HostPort> allowed_hosts_;  // policy_.allowed_hosts, parsed
  std::vector<Origin> allowed_origins_;  // policy_.allowed_origins, parsed
  SessionCookieSigner cookies_;          // copies of this HttpAccess share its key
};

// The request body is declared JSON: the media type of Content-Type (parameters such as charset
// aside) is exactly application/json. A browser sends a cross-site request without a CORS
// preflight only with text/plain, form or multipart bodies, so requiring JSON on every POST keeps
// such "simple" requests away from handlers that change state.
bool has_json_content_type(const HttpRequest& request);

// Whether an Accept header admits the media type `type` (lower case, e.g. "text/event-stream"):
// some element of its comma-separated list is that type, `major/*` or `*/*`, compared whole and
// without case (never as a substring: "application/json-seq" is not "application/json"), and
// not with weight q=0.
bool accepts_media_type(const std::optional<std::string>& accept, std::string_view type);

}  // namespace benchtop
