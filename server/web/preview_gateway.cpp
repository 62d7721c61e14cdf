#include "server/web/preview_gateway.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"
#include "server/access/session_cookie.h"

namespace benchtop {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Splits `text` at `separator`, trimming each part and leaving out empty ones.
std::vector<std::string_view> split_list(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    const size_t at = text.find(separator);
    const auto part = trim_whitespace(text.substr(0, at));
    if (!part.empty()) parts.push_back(part);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

TunnelAnswer answer(int status, std::string message) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(message) + "\n";
  // A refusal must not be kept by a cache and shown for a later request that would be served.
  response.headers.emplace_back("Cache-Control", "no-store");
  return TunnelAnswer{std::move(response), UniqueFd(), std::string()};
}

std::vector<std::string> header_values(const HttpRequest& request, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [key, value] : request.headers) {
    if (iequals(key, name)) values.push_back(value);
  }
  return values;
}

// The raw target without the pass parameter; other parameters are kept as they were sent.
std::string target_without_pass(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::string(target);
  std::string kept;
  for (const auto parameter : split_list(target.substr(question + 1), '&')) {
    const auto name = parameter.substr(0, parameter.find('='));
    if (name == kPreviewPassParameter) continue;
    kept += kept.empty() ? "" : "&";
    kept += parameter;
  }
  std::string result(target.substr(0, question));
  if (!kept.empty()) result += "?" + kept;
  return result;
}

// Whether the request asks to switch protocols (a WebSocket handshake): a Connection header with
// the `upgrade` token and an Upgrade header.
bool is_upgrade(const HttpRequest& request) {
  if (!request.header("Upgrade")) return false;
  for (const auto& value : header_values(request, "Connection")) {
    for (const auto token : split_list(value, ',')) {
      if (iequals(token, "upgrade")) return true;
    }
  }
  return false;
}

bool hop_by_hop(std::string_view name, const std::vector<std::string_view>& connection_tokens) {
  static constexpr std::string_view kAlways[] = {
      "connection",      "keep-alive",        "proxy-connection", "upgrade", "forwarded",
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "cookie",  "authorization"};
  for (const auto always : kAlways) {
    if (iequals(name, always)) return true;
  }
  // Fields the client named in Connection are for this hop only (RFC 9110 section 7.6.1).
  return std::any_of(connection_tokens.begin(), connection_tokens.end(),
                     [&](std::string_view token) { return iequals(token, name); });
}

}  // namespace

PreviewGateway::PreviewGateway(const HttpAccess& access, const PreviewLinks& links,
                               ProjectExists exists, Connect connect)
    : access_(access), links_(links), exists_(std::move(exists)), connect_(std::move(connect)) {}

HttpTunnels PreviewGateway::tunnels() const {
  HttpTunnels tunnels;
  tunnels.claims = [](std::string_view host) { return claims(host); };
  tunnels.open = [this](const TunnelRequest& request) { return open(request); };
  return tunnels;
}

bool PreviewGateway::claims(std::string_view host) {
  const auto parsed = parse_host_header(host);
  return parsed && parse_preview_host(*parsed);
}

TunnelAnswer PreviewGateway::open(const TunnelRequest& request) const {
  const HttpRequest& head = request.head;
  const auto hosts = header_values(head, "Host");
  if (hosts.size() != 1) return answer(400, "A request needs exactly one Host header.");
  const auto host = parse_host_header(hosts.front());
  const auto address = host ? parse_preview_host(*host) : std::nullopt;
  if (!address) return answer(400, "The Host header does not name a preview.");

  // The preview's own origin, as the browser that loaded it serialises it.
  const Origin own{"http", HostPort{HostPort::Kind::kName, host->host, host->port.value_or(80)}};
  if (const auto origin_header = head.header("Origin")) {
    const auto origin = parse_origin(*origin_header);
    if (!origin || !(*origin == own)) {
      return answer(403, "A preview accepts requests from its own pages only (Origin " +
                             own.serialized() + ").");
    }
  }
  if (!exists_(address->project_id)) return answer(404, "There is no such project.");

  const auto now = PreviewPasses::Clock::now();
  const auto& passes = links_.passes();
  if (const auto pass = head.query_param(kPreviewPassParameter)) {
    if (!passes.valid(*pass, *address, now)) {
      return answer(401,
                    "This preview link has expired or is for another preview. Get a fresh one "
                    "from devcontainer_status or the chat page.");
    }
    HttpResponse redirect;
    redirect.status = 303;
    redirect.headers.emplace_back("Location", target_without_pass(request.target));
    redirect.headers.emplace_back("Cache-Control", "no-store");
    // Host-only (no Domain), so no other preview and not the chat page ever sees it.
    redirect.headers.emplace_back(
        "Set-Cookie",
        std::string(kPreviewCookie) + "=" + passes.issue(*address, now + kCookieLifetime) +
            "; Path=/; Max-Age=" + std::to_string(std::chrono::seconds(kCookieLifetime).count()) +
            "; HttpOnly; SameSite=Lax");
    return TunnelAnswer{std::move(redirect), UniqueFd(), std::string()};
  }

  bool admitted = !access_.token_required();
  for (const auto& cookie_header : header_values(head, "Cookie")) {
    for (const auto& value : cookie_values(cookie_header, kPreviewCookie)) {
      admitted = admitted || passes.valid(value, *address, now);
    }
  }
  bool bearer_is_ours = false;
  if (const auto authorization = head.header("Authorization")) {
    constexpr std::string_view kScheme = "Bearer ";
    if (authorization->size() > kScheme.size() &&
        iequals(std::string_view(*authorization).substr(0, kScheme.size()), kScheme)) {
      bearer_is_ours = access_.token_matches(authorization->substr(kScheme.size()));
      admitted = admitted || bearer_is_ours;
    }
  }
  if (!admitted) {
    return answer(401,
                  "This preview needs a login: open it through the link benchtop gives "
                  "(devcontainer_status, process_start, the chat page), or send the server's "
                  "token as a bearer token.");
  }

  auto upstream = connect_(address->project_id, address->port);
  if (!upstream) {
    return answer(502, "Nothing in this project's sandbox answers on port " +
                           std::to_string(address->port) + ": " + upstream.error().message);
  }

  const auto connection_values = header_values(head, "Connection");  // the tokens point into it
  std::vector<std::string_view> connection_tokens;
  for (const auto& value : connection_values) {
    for (const auto token : split_list(value, ',')) connection_tokens.push_back(token);
  }
  std::string upstream_head = head.method + " " + request.target +
                              (request.version == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  for (const auto& [name, value] : head.headers) {
    if (hop_by_hop(name, connection_tokens)) continue;
    upstream_head += name + ": " + value + "\r\n";
  }
  // The app's own cookies pass; the preview's is benchtop's credential, not the app's.
  std::string cookies;
  for (const auto& cookie_header : header_values(head, "Cookie")) {
    for (const auto pair : split_list(cookie_header, ';')) {
      if (trim_whitespace(pair.substr(0, pair.find('='))) == kPreviewCookie) continue;
      cookies += cookies.empty() ? "" : "; ";
      cookies += pair;
    }
  }
  if (!cookies.empty()) upstream_head += "Cookie: " + cookies + "\r\n";
  if (const auto authorization = head.header("Authorization"); authorization && !bearer_is_ours) {
    upstream_head += "Authorization: " + *authorization + "\r\n";
  }
  if (is_upgrade(head)) {
    upstream_head += "Connection: Upgrade\r\nUpgrade: " + *head.header("Upgrade") + "\r\n";
  } else {
    upstream_head += "Connection: close\r\n";
  }
  upstream_head += "X-Forwarded-For: " + head.remote_address + "\r\n";
  upstream_head += "X-Forwarded-Proto: http\r\n";
  upstream_head += "X-Forwarded-Host: " + hosts.front() + "\r\n\r\n";
  return TunnelAnswer{std::nullopt, std::move(*upstream), std::move(upstream_head)};
}

}  // namespace benchtop
