// A client connection turned into a pipe to another server (a live preview's dev server): after
// the first bytes (the request head as rewritten for the upstream, and whatever the client sent
// after it), bytes go both ways unchanged until either side closes or the tunnel has been idle
// too long. WebSocket upgrades and streamed responses pass through as they are.
//
// Everything happens on the client connection's strand and holds no thread: a tunnel waiting for a
// dev server's next hot-reload message costs two descriptors and two buffers.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

namespace benchtop {

class ByteTunnel : public std::enable_shared_from_this<ByteTunnel> {
 public:
  using Upstream = boost::asio::generic::stream_protocol::socket;

  // `owner` (the client's connection, which holds its connection-limit slot) is kept alive until
  // the tunnel ends. `upstream` must live on the client socket's executor.
  ByteTunnel(boost::asio::ip::tcp::socket client, Upstream upstream,
             std::chrono::milliseconds idle_timeout, std::shared_ptr<void> owner);

  // Writes `first` to the upstream, then carries bytes both ways.
  void start(std::string first);
  // Ends the tunnel from any thread (server stop).
  void close();

 private:
  static constexpr size_t kBufferBytes = 16 * 1024;
  using Buffer = std::array<char, kBufferBytes>;

  template <class From, class To>
  void pump(From& from, To& to, Buffer& buffer, bool& done);
  // One direction ended (end of stream): its sending half is shut; both ended: closed.
  template <class To>
  void finish_direction(To& to, bool& done);
  void arm();
  void close_now();

  boost::asio::ip::tcp::socket client_;
  Upstream upstream_;
  const std::chrono::milliseconds idle_timeout_;
  std::shared_ptr<void> owner_;
  boost::asio::steady_timer idle_;
  uint64_t idle_generation_ = 0;
  Buffer to_upstream_{};
  Buffer to_client_{};
  bool upstream_done_ = false;  // the client finished sending
  bool client_done_ = false;    // the upstream finished sending
  std::atomic<bool> closed_{false};
};

}  // namespace benchtop
