#include "server/mcp/request_state.h"

#include "common/base64.h"
#include "common/constant_time.h"
#include "transport/json_rpc.h"

namespace benchtop {

std::string RequestStateSealer::mac(const std::string& payload) const {
  return base64::encode(key_.tag(payload));
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
  if (!equal_constant_time(given, expected)) return invalid;
  auto text = base64::decode(payload);
  if (!text) return invalid;
  nlohmann::json state = nlohmann::json::parse(*text, nullptr, false);
  if (state.is_discarded()) return invalid;
  return state;
}

}  // namespace benchtop
