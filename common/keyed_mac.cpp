#include "common/keyed_mac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/random.h"

namespace benchtop {

KeyedMac::KeyedMac() : key_(random_bytes(32)) {}

std::string KeyedMac::tag(std::string_view payload) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace benchtop
