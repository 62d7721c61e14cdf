#include "server/request_state.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include <stdexcept>

#include "common/base64.h"
#include "transport/json_rpc.h"

namespace benchtop {

RequestStateSealer::RequestStateSealer() : key_(32, '\0') {
  size_t filled = 0;
  while (filled < key_.size()) {
    const ssize_t n = ::getrandom(key_.data() + filled, key_.size() - filled, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    filled += static_cast<size_t>(n);
  }
}

std::string RequestStateSealer::mac(const std::string& payload) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest, &length);
  return base64::encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string RequestStateSealer::seal(const nlohmann::json& state) const {
  const std::string payload = base64::encode(jsonrpc::serialize(state));
  return payload + "." + mac(payload);
}

Result<nlohmann::json> RequestStateSealer::open(const std::string& token) const {
  const auto dot = token.rfind('.');
  const Error invalid = Error::make(
      "requestState failed its integrity check: send back exactly the requestState of the last "
      "input_required result, or retry without it",
      "invalid_state");
  if (dot == std::string::npos) return invalid;
  const std::string payload = token.substr(0, dot);
  const std::string expected = mac(payload);
  const std::string given = token.substr(dot + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return invalid;
  }
  auto text = base64::decode(payload);
  if (!text) return invalid;
  nlohmann::json state = nlohmann::json::parse(*text, nullptr, false);
  if (state.is_discarded()) return invalid;
  return state;
}

}  // namespace benchtop
