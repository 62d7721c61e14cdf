#include "server/http_access.h"

#include <algorithm>
#include <nlohmann/json.hpp>

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

// Compares every byte whatever the first difference, so response time does not reveal how much of
// a guessed token was right. (The length is not secret: tokens have a fixed format.)
bool equal_constant_time(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    difference = difference | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
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

AccessDecision HttpAccess::check(const HttpRequest& request) const {
  const auto host = request.header("Host");
  if (!host || !host_allowed(*host)) {
    return {403, "Forbidden: Host header '" + host.value_or("") + "' is not allowed"};
  }
  if (const auto origin = request.header("Origin"); origin && !origin_allowed(*origin)) {
    return {403, "Forbidden: Origin '" + *origin + "' is not allowed"};
  }
  if (!policy_.token.empty()) {
    const auto authorization = request.header("Authorization").value_or("");
    const std::string prefix = "Bearer ";
    if (authorization.size() <= prefix.size() ||
        !std::equal(prefix.begin(), prefix.end(), authorization.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); }) ||
        !equal_constant_time(authorization.substr(prefix.size()), policy_.token)) {
      return {401, "Unauthorized: send 'Authorization: Bearer <token>'"};
    }
  }
  return {};
}

std::optional<std::string> HttpAccess::allowed_origin(const HttpRequest& request) const {
  auto origin = request.header("Origin");
  if (origin && origin_allowed(*origin)) return origin;
  return std::nullopt;
}

HttpHandler HttpAccess::guard(HttpHandler handler) const {
  return [this, handler = std::move(handler)](const HttpRequest& request) {
    const AccessDecision decision = check(request);
    if (decision.status == 0) return handler(request);
    HttpResponse response =
        HttpResponse::json(decision.status, nlohmann::json{{"error", decision.message}}.dump());
    if (decision.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  };
}

}  // namespace benchtop
