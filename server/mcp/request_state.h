// The `requestState` of 2026-07-28 input_required results: server state handed to the client and
// echoed on the retry. The server is stateless between rounds, so the state is sealed with an
// HMAC under a key that lives only in this process; a client cannot forge or alter it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/keyed_mac.h"
#include "common/result.h"

namespace benchtop {

class RequestStateSealer {
 public:
  std::string seal(const nlohmann::json& state) const;
  // The state, or an error when the token was not sealed by this sealer or was altered.
  Result<nlohmann::json> open(const std::string& token) const;

 private:
  std::string mac(const std::string& payload) const;
  KeyedMac key_;
};

}  // namespace benchtop
