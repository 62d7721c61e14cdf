#include "server/http_access.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/constant_time.h"

namespace benchtop {
namespace {

// Splits "host:port", "[v6]:port" or "host" and returns the host part, lower-cased.
std::string host_part(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!value.empty() && value.front() == '[') {
    auto close = value.find(']');
    return close == std::string::npos ? value : value.substr(0, close + 1);
  }
  auto colon = value.rfind(':');
  return colon == std::string::npos ? value : value.substr(0, colon);
}

std::string lower(std::string value) {
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value;
}

// Cookies are scoped by host name but not by port, so two servers on one machine would overwrite
// each other's cookie under a shared name; the port in the name keeps them apart.
std::string session_cookie_name(const HttpRequest& request) {
  const std::string host = request.header("Host").value_or("");
  const auto colon = host.rfind(':');
  const auto bracket = host.rfind(']');
  std::string name = "benchtop_session";
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    const std::string port = host.substr(colon + 1);
    if (!port.empty() && std::all_of(port.begin(), port.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
      name += "_" + port;
    }
  }
  return name;
}

// Same origin as the server itself: the Origin names the host (and port) the request was sent to.
bool same_origin(const std::string& origin, const std::string& host) {
  const std::string o = lower(origin);
  const std::string h = lower(host);
  return !h.empty() && (o == "http://" + h || o == "https://" + h);
}

bool safe_method(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

}  // namespace

bool HttpAccess::is_loopback_host(const std::string& host) {
  const std::string h = host_part(host);
  return h == "localhost" || h == "[::1]" || h == "::1" || h.rfind("127.", 0) == 0;
}

bool HttpAccess::host_allowed(const std::string& host_header) const {
  for (const auto& allowed : policy_.allowed_hosts) {
    if (host_part(allowed) == host_part(host_header)) return true;
  }
  if (policy_.loopback_bind) return is_loopback_host(host_header);
  // Beyond loopback, the token is the protection; a host allow-list narrows it further.
  return policy_.allowed_hosts.empty();
}

bool HttpAccess::origin_allowed(const std::string& origin) const {
  if (std::find(policy_.allowed_origins.begin(), policy_.allowed_origins.end(), origin) !=
      policy_.allowed_origins.end()) {
    return true;
  }
  // A page served from the loopback interface itself (the chat UI) is same-machine.
  for (const char* scheme : {"http://", "https://"}) {
    const std::string prefix = scheme;
    if (origin.rfind(prefix, 0) == 0 && policy_.loopback_bind) {
      return is_loopback_host(origin.substr(prefix.size()));
    }
  }
  return false;
}

AccessDecision HttpAccess::check_host_and_origin(const HttpRequest& request) const {
  const auto host = request.header("Host");
  if (!host || !host_allowed(*host)) {
    return {403, "Forbidden: Host header '" + host.value_or("") + "' is not allowed"};
  }
  if (const auto origin = request.header("Origin"); origin && !origin_allowed(*origin)) {
    return {403, "Forbidden: Origin '" + *origin + "' is not allowed"};
  }
  return {};
}

bool HttpAccess::token_matches(std::string_view candidate) const {
  return !policy_.token.empty() && equal_constant_time(candidate, policy_.token);
}

bool HttpAccess::bearer_valid(const HttpRequest& request) const {
  const auto authorization = request.header("Authorization").value_or("");
  const std::string prefix = "Bearer ";
  return authorization.size() > prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), authorization.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); }) &&
         token_matches(std::string_view(authorization).substr(prefix.size()));
}

bool HttpAccess::cookie_valid(const HttpRequest& request) const {
  const std::string name = session_cookie_name(request);
  const auto now = SessionCookieSigner::Clock::now();
  for (const auto& [key, value] : request.headers) {
    if (lower(key) != "cookie") continue;
    for (const auto& candidate : cookie_values(value, name)) {
      if (cookies_.valid(candidate, now)) return true;
    }
  }
  return false;
}

AccessDecision HttpAccess::check(const HttpRequest& request) const {
  if (AccessDecision decision = check_host_and_origin(request); decision.status != 0) {
    return decision;
  }
  if (!policy_.token.empty() && !bearer_valid(request)) {
    return {401, "Unauthorized: send 'Authorization: Bearer <token>'"};
  }
  return {};
}

AccessDecision HttpAccess::check_browser(const HttpRequest& request) const {
  if (AccessDecision decision = check_host_and_origin(request); decision.status != 0) {
    return decision;
  }
  if (policy_.token.empty() || bearer_valid(request)) return {};
  if (!cookie_valid(request)) {
    return {401,
            "Unauthorized: open /?token=<token> in the browser once, or send 'Authorization: "
            "Bearer <token>'"};
  }
  // A cookie travels with cross-site requests too: a state change needs proof it came from this
  // server's own page.
  if (!safe_method(request.method)) {
    const auto origin = request.header("Origin");
    if (!origin || !same_origin(*origin, request.header("Host").value_or(""))) {
      return {403, "Forbidden: a " + request.method +
                       " authenticated by cookie must come from this server's own page "
                       "(same-origin Origin header)"};
    }
  }
  return {};
}

std::string HttpAccess::session_cookie(const HttpRequest& request) const {
  const auto lifetime = policy_.browser_session_lifetime;
  std::string cookie =
      session_cookie_name(request) + "=" +
      cookies_.issue(SessionCookieSigner::Clock::now() + lifetime) +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(lifetime.count());
  if (lower(request.header("X-Forwarded-Proto").value_or("")) == "https") cookie += "; Secure";
  return cookie;
}

std::string HttpAccess::end_browser_session(const HttpRequest& request) const {
  const std::string name = session_cookie_name(request);
  const auto now = SessionCookieSigner::Clock::now();
  for (const auto& [key, value] : request.headers) {
    if (lower(key) != "cookie") continue;
    for (const auto& candidate : cookie_values(value, name)) cookies_.revoke(candidate, now);
  }
  return name + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

std::optional<std::string> HttpAccess::allowed_origin(const HttpRequest& request) const {
  auto origin = request.header("Origin");
  if (origin && origin_allowed(*origin)) return origin;
  return std::nullopt;
}

namespace {

HttpHandler guarded(const HttpAccess& access, HttpHandler handler,
                    AccessDecision (HttpAccess::*check)(const HttpRequest&) const) {
  return [&access, check, handler = std::move(handler)](const HttpRequest& request) {
    const AccessDecision decision = (access.*check)(request);
    if (decision.status == 0) return handler(request);
    HttpResponse response =
        HttpResponse::json(decision.status, nlohmann::json{{"error", decision.message}}.dump());
    if (decision.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  };
}

}  // namespace

HttpHandler HttpAccess::guard(HttpHandler handler) const {
  return guarded(*this, std::move(handler), &HttpAccess::check);
}

HttpHandler HttpAccess::guard_browser(HttpHandler handler) const {
  return guarded(*this, std::move(handler), &HttpAccess::check_browser);
}

}  // namespace benchtop
