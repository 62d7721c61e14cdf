#include "transport/http_module/connection_limits.h"

namespace benchtop {

std::string peer_key(const boost::asio::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  auto bytes = v6.to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

std::optional<ConnectionLimits::Slot> ConnectionLimits::admit(const std::string& peer) {
  std::lock_guard lock(mutex_);
  if (open_ >= total_) return std::nullopt;
  size_t& of_peer = per_peer_open_[peer];
  if (of_peer >= per_peer_) return std::nullopt;
  ++of_peer;
  ++open_;
  return Slot(this, peer);
}

size_t ConnectionLimits::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

void ConnectionLimits::release(const std::string& peer) {
  std::lock_guard lock(mutex_);
  --open_;
  auto found = per_peer_open_.find(peer);
  if (found != per_peer_open_.end() && --found->second == 0) per_peer_open_.erase(found);
}

}  // namespace benchtop
