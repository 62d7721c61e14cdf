#include "server/access/http_access.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/constant_time.h"

namespace benchtop {
namespace {

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

// The values of every header called `name` (a request may repeat a header).
std::vector<std::string> header_values(const HttpRequest& request, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [key, value] : request.headers) {
    if (lower(key) == lower(std::string(name))) values.push_back(value);
  }
  return values;
}

// Same origin as the server itself: the Origin names the host and port the request was sent to.
// The scheme is not compared: behind a TLS proxy the server cannot see it, and the Host check has
// already vouched for the name.
bool same_origin(const Origin& origin, const HostPort& host) {
  // A Host without a port names the scheme's default port.
  return origin.host.kind == host.kind && origin.host.host == host.host &&
         origin.host.port == host.port.value_or(default_port(origin.scheme));
}

bool safe_method(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

}  // namespace

HttpAccess::HttpAccess(HttpAccessPolicy policy) : policy_(std::move(policy)) {
  for (const auto& entry : policy_.allowed_hosts) {
    if (auto host = parse_host_header(entry)) allowed_hosts_.push_back(std::move(*host));
  }
  for (const auto& entry : policy_.allowed_origins) {
    if (auto origin = parse_origin(entry)) allowed_origins_.push_back(std::move(*origin));
  }
}

std::optional<std::string> HttpAccess::invalid_entry(const HttpAccessPolicy& policy) {
  for (const auto& entry : policy.allowed_hosts) {
    if (!parse_host_header(entry)) {
      return "--allowed-host '" + entry +
             "' is not a host name or IP literal with an optional port (e.g. dev.example:8080, "
             "[::1]:8080)";
    }
  }
  for (const auto& entry : policy.allowed_origins) {
    if (!parse_origin(entry)) {
      return "--allowed-origin '" + entry +
             "' is not an origin: scheme http or https, host, optional port, no path (e.g. "
             "https://app.example)";
    }
  }
  return std::nullopt;
}

bool HttpAccess::is_loopback_host(const std::string& host) {
  // A listen address may be a bare IPv6 literal; a Host value brackets it.
  auto parsed = parse_host_header(host);
  if (!parsed && host.find(':') != std::string::npos) parsed = parse_host_header("[" + host + "]");
  return parsed && parsed->loopback();
}

bool HttpAccess::host_listed(const HostPort& host) const {
  // An entry without a port admits the name on any port.
  return std::any_of(allowed_hosts_.begin(), allowed_hosts_.end(), [&](const HostPort& allowed) {
    return allowed.kind == host.kind && allowed.host == host.host &&
           (!allowed.port || allowed.port == host.port);
  });
}

bool HttpAccess::host_allowed(const HostPort& host) const {
  if (host_listed(host)) return true;
  if (policy_.loopback_bind) return host.loopback();
  // Beyond loopback, the token is the protection; a host allow-list narrows it further.
  return allowed_hosts_.empty();
}

bool HttpAccess::origin_listed(const Origin& origin) const {
  return std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) !=
         allowed_origins_.end();
}

bool HttpAccess::origin_allowed(const Origin& origin, const HostPort& host) const {
  if (origin_listed(origin)) return true;
  // The server's own page (the chat UI), when the Host it was loaded from is trusted by name:
  // loopback, or listed. Any other page, other local web apps on other ports included, needs
  // --allowed-origin.
  return (host.loopback() || host_listed(host)) && same_origin(origin, host);
}

std::optional<HostPort> HttpAccess::request_host(const HttpRequest& request,
                                                 AccessDecision& refusal) const {
  const auto hosts = header_values(request, "Host");
  if (hosts.size() != 1) {
    refusal = {403, "Forbidden: the request must carry exactly one Host header"};
    return std::nullopt;
  }
  auto host = parse_host_header(hosts.front());
  if (!host || !host_allowed(*host)) {
    refusal = {403, "Forbidden: Host header '" + hosts.front() + "' is not allowed"};
    return std::nullopt;
  }
  return host;
}

AccessDecision HttpAccess::check_host_and_origin(const HttpRequest& request) const {
  AccessDecision refusal;
  const auto host = request_host(request, refusal);
  if (!host) return refusal;
  const auto origins = header_values(request, "Origin");
  if (origins.empty()) return {};
  if (origins.size() > 1) return {403, "Forbidden: more than one Origin header"};
  const auto origin = parse_origin(origins.front());
  if (!origin || !origin_allowed(*origin, *host)) {
    return {403, "Forbidden: Origin '" + origins.front() +
                     "' is not allowed (start benchtop with --allowed-origin to admit it)"};
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
    const auto origin = parse_origin(request.header("Origin").value_or(""));
    const auto host = parse_host_header(request.header("Host").value_or(""));
    if (!origin || !host || !same_origin(*origin, *host)) {
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
  // Only origins the operator listed get CORS headers: the server's own page is same-origin and
  // needs none, and no other page may read a response.
  const auto origins = header_values(request, "Origin");
  if (origins.size() != 1 || check_host_and_origin(request).status != 0) return std::nullopt;
  const auto origin = parse_origin(origins.front());
  if (!origin || !origin_listed(*origin)) return std::nullopt;
  return origin->serialized();
}

namespace {

std::string_view trim_ows(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The media type of a Content-Type value or an Accept element: what comes before any parameter,
// without surrounding whitespace, in lower case.
std::string media_type_essence(std::string_view value) {
  return lower(std::string(trim_ows(value.substr(0, value.find(';')))));
}

// Whether the parameters of an Accept element give it weight zero ("q=0", "q=0.000").
bool weight_is_zero(std::string_view element) {
  size_t at = element.find(';');
  while (at != std::string_view::npos) {
    const size_t next = element.find(';', at + 1);
    const std::string parameter =
        lower(std::string(trim_ows(element.substr(at + 1, next - at - 1))));
    if (parameter.rfind("q=", 0) == 0) {
      const std::string_view weight = std::string_view(parameter).substr(2);
      return !weight.empty() && weight.find_first_not_of("0.") == std::string_view::npos;
    }
    at = next;
  }
  return false;
}

}  // namespace

bool has_json_content_type(const HttpRequest& request) {
  const auto value = request.header("Content-Type");
  return value && media_type_essence(*value) == "application/json";
}

bool accepts_media_type(const std::optional<std::string>& accept, std::string_view type) {
  if (!accept) return false;
  const std::string_view major = type.substr(0, type.find('/'));
  std::string_view rest(*accept);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view element = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::string range = media_type_essence(element);
    const bool matches =
        range == type || range == "*/*" ||
        (range.size() == major.size() + 2 && range.starts_with(major) && range.ends_with("/*"));
    if (matches && !weight_is_zero(element)) return true;
  }
  return false;
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
