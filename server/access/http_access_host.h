// Parsers for the two headers that say where a request was meant to go and where it came from:
// Host (`host[:port]`, `[IPv6]:port`) and Origin (`scheme://host[:port]`). They decide who may
// drive a local server, so they are strict: a value is parsed whole, never matched by its first
// characters, and anything a browser would not send is refused rather than guessed at.
//
// Host names. Accepted forms, compared after lower-casing:
//   - a canonical dotted-quad IPv4 literal (`127.0.0.1`): four decimal parts 0-255, no leading
//     zeros. A browser turns every other numeric form (`2130706433`, `0x7f.1`, `0177.0.0.1`,
//     `127.1`, `127.0.0.1.`) into a dotted quad before sending it (WHATWG URL "IPv4 parser"), so
//     those forms only come from other clients and are refused as malformed instead of being
//     interpreted one way here and another way by a resolver. Any name whose last label is
//     numeric (WHATWG's "ends in a number") must be such a literal.
//   - a bracketed IPv6 literal (`[::1]`), compared in its inet_ntop form; a zone id (`%25eth0`) is
//     refused (browsers dropped RFC 6874 zone ids).
//   - a DNS name: labels of letters, digits, `-` and `_`, separated by single dots. A trailing dot
//     is kept (`localhost.` is a different name from `localhost`, as it is for a browser's origin).
// Userinfo (`user@host`), paths, queries, whitespace, percent-escapes, an empty or out-of-range
// port and ports with leading zeros are refused.
//
// Loopback means the IP literals of 127.0.0.0/8, `::1` and `::ffff:127.x.y.z` (IPv4-mapped, which
// a dual-stack socket delivers to 127.x.y.z), and the one name `localhost`. `*.localhost` is not
// loopback here: browsers resolve those names to 127.0.0.1, but every such name is its own site
// (another local app); an operator who serves benchtop under one adds it with --allowed-host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace benchtop {

struct HostPort {
  enum class Kind { kName, kIpv4, kIpv6 };
  Kind kind = Kind::kName;
  std::string host;  // lower-case; an IPv6 literal without brackets, in inet_ntop form
  std::optional<uint16_t> port;

  bool loopback() const;
  // `host` with brackets around an IPv6 literal, then `:port` when there is one.
  std::string authority() const;
};

struct Origin {
  std::string scheme;  // "http" or "https"
  HostPort host;       // host.port is always set: the scheme's default when the value had none
  // `scheme://host[:port]`, the default port left out, as a browser serialises it.
  std::string serialized() const;
  bool operator==(const Origin& other) const {
    return scheme == other.scheme && host.host == other.host.host && host.port == other.host.port;
  }
};

// 443 for https, 80 otherwise.
uint16_t default_port(std::string_view scheme);

// A Host header value, or nullopt when it is malformed.
std::optional<HostPort> parse_host_header(std::string_view value);
// An Origin header value with scheme http or https, or nullopt (malformed, another scheme, or the
// opaque origin `null` a sandboxed frame or a file:// page sends).
std::optional<Origin> parse_origin(std::string_view value);

}  // namespace benchtop
