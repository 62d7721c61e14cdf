// Browser session cookies for a server started with a token. A browser cannot attach an
// `Authorization` header to a page it navigates to, so after one login with the token it carries
// a cookie instead. The cookie is not the token: it is an expiry time and a random nonce, signed
// with HMAC-SHA256 under a key that lives only in this process, so it cannot be forged, cannot be
// stretched past its expiry, reveals nothing about the token, and dies with the process. Logging
// out revokes it (a list held in memory until the cookie would have expired anyway).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/keyed_mac.h"

namespace benchtop {

class SessionCookieSigner {
 public:
  using Clock = std::chrono::system_clock;

  // A new cookie value, valid until `expires`.
  std::string issue(Clock::time_point expires) const;
  // True when `value` was issued by this signer, unaltered, not revoked, and `now` is before its
  // expiry.
  bool valid(std::string_view value, Clock::time_point now) const;
  // Ends `value` before its expiry (a logout): a copy of the cookie kept elsewhere stops working
  // too. Values this signer did not issue are ignored. Copies of this signer share revocations.
  void revoke(std::string_view value, Clock::time_point now) const;

 private:
  // The expiry of a value this signer issued, in seconds since the epoch; nullopt otherwise.
  std::optional<long long> authentic_expiry(std::string_view value) const;
  std::string mac(std::string_view payload) const;
  struct Revocations {
    std::mutex mutex;
    std::map<std::string, long long, std::less<>> expiry_by_value;  // kept until they expire
  };
  KeyedMac key_;
  std::shared_ptr<Revocations> revoked_ = std::make_shared<Revocations>();
};

// The values of every cookie called `name` in a `Cookie` request header ("a=1; b=2"), in order.
// A browser may send several with one name (set for different paths or by another server on the
// same host name), so callers accept the request when any of them is valid.
std::vector<std::string> cookie_values(std::string_view header, std::string_view name);

}  // namespace benchtop
