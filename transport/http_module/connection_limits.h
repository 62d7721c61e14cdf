// Caps on open connections, in total and per client, so that one client (or a few) holding
// connections open cannot take every slot: what nginx's limit_conn and HAProxy's maxconn do.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace benchtop {

// The key a client is counted under: its IPv4 address (also when it arrives IPv4-mapped), or the
// /64 prefix of its IPv6 address, since one host commonly owns a whole /64.
std::string peer_key(const boost::asio::ip::address& address);

class ConnectionLimits {
 public:
  ConnectionLimits(size_t total, size_t per_peer) : total_(total), per_peer_(per_peer) {}
  ConnectionLimits(const ConnectionLimits&) = delete;
  ConnectionLimits& operator=(const ConnectionLimits&) = delete;

  // One admitted connection; its place is given back on destruction.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : limits_(other.limits_), peer_(std::move(other.peer_)) {
      other.limits_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (limits_) limits_->release(peer_);
    }

   private:
    friend class ConnectionLimits;
    Slot(ConnectionLimits* limits, std::string peer) : limits_(limits), peer_(std::move(peer)) {}
    ConnectionLimits* limits_;
    std::string peer_;
  };

  // A slot for a new connection from `peer`, or nullopt when either cap is reached.
  std::optional<Slot> admit(const std::string& peer);
  size_t open() const;

 private:
  void release(const std::string& peer);

  const size_t total_;
  const size_t per_peer_;
  mutable std::mutex mutex_;
  size_t open_ = 0;
  std::unordered_map<std::string, size_t> per_peer_open_;
};

}  // namespace benchtop
