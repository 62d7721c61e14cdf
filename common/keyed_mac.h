// HMAC-SHA256 under a random key that lives only in this process: for values the server hands
// out and must recognise later unaltered (sealed request state, browser session cookies), without
// storing them. A restart invalidates every tag, by design.
#pragma once

#include <string>
#include <string_view>

namespace benchtop {

class KeyedMac {
 public:
  KeyedMac();  // a fresh 256-bit key

  // The raw 32-byte tag of `payload`.
  std::string tag(std::string_view payload) const;

 private:
  std::string key_;
};

}  // namespace benchtop
