// Where a project's live preview is served, and who may open it.
//
// Each port of each project gets an origin of its own, `http://p<port>-<project id>.localhost:
// <server port>/`: a dev server's app then runs at the root of its origin (absolute asset paths
// work), and the browser keeps it apart from the chat page and from every other preview (no
// shared cookies or storage; its scripts cannot call the chat API with the user's session).
// Browsers resolve every `*.localhost` name to the loopback address.
//
// A preview origin has no login of its own: the chat page hands out a short-lived pass in the
// preview URL, which the preview exchanges for a cookie on its own origin. A pass and that cookie
// are signed for one project and port: neither opens another preview.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/keyed_mac.h"
#include "server/access/http_access_host.h"

namespace benchtop {

struct PreviewAddress {
  std::string project_id;  // a project id as projects are made: a lower-case UUID
  uint16_t port = 0;

  // "p<port>-<project id>.localhost", the preview's host name.
  std::string host_name() const;
  bool operator==(const PreviewAddress&) const = default;
};

// The preview a Host header names, or nullopt when it names none. Parsed whole: exactly one
// label `p<port>-<uuid>` (a port 1-65535 without leading zeros, a lower-case UUID) under
// `localhost`, nothing before it and no trailing dot.
std::optional<PreviewAddress> parse_preview_host(const HostPort& host);

class PreviewPasses {
 public:
  using Clock = std::chrono::system_clock;

  // A pass (for a URL) or cookie value for `address`, valid until `expires`.
  std::string issue(const PreviewAddress& address, Clock::time_point expires) const;
  // True when `value` was issued by this signer for exactly `address`, unaltered, and `now` is
  // before its expiry.
  bool valid(std::string_view value, const PreviewAddress& address, Clock::time_point now) const;

 private:
  std::string mac(std::string_view payload, const PreviewAddress& address) const;
  KeyedMac key_;
};

}  // namespace benchtop
