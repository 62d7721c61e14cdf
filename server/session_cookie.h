// Browser session cookies for a server started with a token. A browser cannot attach an
// `Authorization` header to a page it navigates to, so after one login with the token it carries
// a cookie instead. The cookie is not the token: it is an expiry time and a random nonce, signed
// with HMAC-SHA256 under a key that lives only in this process, so it cannot be forged, cannot be
// stretched past its expiry, reveals nothing about the token, and dies with the process.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "server/keyed_mac.h"

namespace benchtop {

class SessionCookieSigner {
 public:
  using Clock = std::chrono::system_clock;

  // A new cookie value, valid until `expires`.
  std::string issue(Clock::time_point expires) const;
  // True when `value` was issued by this signer, unaltered, and `now` is before its expiry.
  bool valid(std::string_view value, Clock::time_point now) const;

 private:
  std::string mac(std::string_view payload) const;
  KeyedMac key_;
};

// The values of every cookie called `name` in a `Cookie` request header ("a=1; b=2"), in order.
// A browser may send several with one name (set for different paths or by another server on the
// same host name), so callers accept the request when any of them is valid.
std::vector<std::string> cookie_values(std::string_view header, std::string_view name);

}  // namespace benchtop
