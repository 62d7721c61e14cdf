#include "server/access/http_access_host.h"

#include <arpa/inet.h>

#include <algorithm>
#include <vector>

#include "common/parse_number.h"

namespace benchtop {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}

bool all_of(std::string_view text, bool (*predicate)(char)) {
  return std::all_of(text.begin(), text.end(), predicate);
}

std::string lower(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// A port as a browser serialises it: 1-65535 in decimal, no sign, no leading zeros.
std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || !all_of(text, is_digit) || text.front() == '0') {
    return std::nullopt;
  }
  return parse_integer<uint16_t>(text);
}

// WHATWG URL "ends in a number": the last label (a single trailing dot ignored) is decimal digits
// or 0x-prefixed hex. Such a host is an IPv4 address to a browser, never a DNS name.
bool ends_in_a_number(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const size_t dot = host.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (!last.empty() && all_of(last, is_digit)) return true;
  return last.size() >= 2 && last[0] == '0' && last[1] == 'x' &&
         all_of(last.substr(2), is_hex_digit);
}

// Exactly four decimal parts 0-255 without leading zeros: the only IPv4 form accepted.
bool canonical_dotted_quad(std::string_view host) {
  const auto parts = split(host, '.');
  if (parts.size() != 4) return false;
  return std::all_of(parts.begin(), parts.end(), [](std::string_view part) {
    if (part.empty() || part.size() > 3 || !all_of(part, is_digit)) return false;
    if (part.size() > 1 && part.front() == '0') return false;
    return parse_integer<uint8_t>(part).has_value();
  });
}

bool name_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

// Labels of name characters separated by single dots, with at most one trailing dot.
bool valid_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 254) return false;
  if (host.back() == '.') host.remove_suffix(1);
  const auto labels = split(host, '.');
  return std::all_of(labels.begin(), labels.end(), [](std::string_view label) {
    return !label.empty() && label.size() <= 63 && all_of(label, name_char);
  });
}

// The inside of `[...]`: an IPv6 address in its inet_ntop form, or nullopt. Zone ids are refused.
std::optional<std::string> canonical_ipv6(std::string_view inside) {
  if (inside.empty() || inside.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(inside);
  in6_addr address{};
  if (::inet_pton(AF_INET6, text.c_str(), &address) != 1) return std::nullopt;
  char canonical[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(AF_INET6, &address, canonical, sizeof canonical) == nullptr) return std::nullopt;
  return std::string(canonical);
}

std::optional<HostPort> parse_host(std::string_view value) {
  // Printable ASCII only: no whitespace, controls or bytes a browser would have punycoded.
  if (value.empty() ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return std::nullopt;
  }
  const std::string text = lower(value);
  HostPort result;
  std::string_view port_text;
  bool has_port = false;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    const auto address = canonical_ipv6(std::string_view(text).substr(1, close - 1));
    if (!address) return std::nullopt;
    result.kind = HostPort::Kind::kIpv6;
    result.host = *address;
    const std::string_view rest = std::string_view(text).substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string::npos) {
      if (text.find(':', colon + 1) != std::string::npos) return std::nullopt;  // unbracketed IPv6
      port_text = std::string_view(text).substr(colon + 1);
      has_port = true;
    }
    const std::string host = text.substr(0, colon);
    if (!valid_dns_name(host)) return std::nullopt;
    if (ends_in_a_number(host)) {
      if (!canonical_dotted_quad(host)) return std::nullopt;
      result.kind = HostPort::Kind::kIpv4;
    }
    result.host = host;
  }
  if (has_port) {
    result.port = parse_port(port_text);
    if (!result.port) return std::nullopt;
  }
  return result;
}

}  // namespace

uint16_t default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

bool HostPort::loopback() const {
  switch (kind) {
    case Kind::kIpv4:
      return host.starts_with("127.");  // a validated dotted quad: the first octet is 127
    case Kind::kIpv6:
      return host == "::1" || host.starts_with("::ffff:127.");
    case Kind::kName:
      return host == "localhost";
  }
  return false;
}

std::string HostPort::authority() const {
  std::string out = kind == Kind::kIpv6 ? "[" + host + "]" : host;
  if (port) out += ":" + std::to_string(*port);
  return out;
}

std::string Origin::serialized() const {
  HostPort shown = host;
  if (shown.port == default_port(scheme)) shown.port.reset();
  return scheme + "://" + shown.authority();
}

std::optional<HostPort> parse_host_header(std::string_view value) {
  return parse_host(value);
}

std::optional<Origin> parse_origin(std::string_view value) {
  const size_t separator = value.find("://");
  if (separator == std::string_view::npos) return std::nullopt;  // includes the opaque "null"
  Origin origin;
  origin.scheme = lower(value.substr(0, separator));
  if (origin.scheme != "http" && origin.scheme != "https") return std::nullopt;
  // The host parser refuses '/', '?', '#' and '@': no path, query, fragment or userinfo.
  auto host = parse_host(value.substr(separator + 3));
  if (!host) return std::nullopt;
  if (!host->port) host->port = default_port(origin.scheme);
  origin.host = std::move(*host);
  return origin;
}

}  // namespace benchtop
