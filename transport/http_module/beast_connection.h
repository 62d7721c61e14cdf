// One client connection of the Beast server, from accept to close. Everything on the socket
// happens asynchronously on the connection's strand (an I/O thread): reading a request under
// whole-header and whole-body deadlines, writing responses. Only a complete request is handed to a
// handler thread; while the handler runs the connection keeps reading, so that a client that
// closes is noticed at once (its request's client_gone token is cancelled) rather than at the
// next write.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/cancellation.h"
#include "transport/http_module/byte_tunnel.h"
#include "transport/http_module/connection_limits.h"
#include "transport/http_module/handler_pool.h"
#include "transport/http_server.h"

namespace benchtop {

class BeastConnection;

// The open connections, so that stopping the server can close them all.
class ConnectionRegistry {
 public:
  uint64_t add(const std::shared_ptr<BeastConnection>& connection);
  void remove(uint64_t id);
  void close_all();

 private:
  std::mutex mutex_;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, std::weak_ptr<BeastConnection>> connections_;
};

// What every connection of one server shares; outlives them all.
struct ServerContext {
  const HttpServer::Options& options;
  const HttpHandler& handler;
  HandlerPool& pool;
  ConnectionRegistry& registry;
};

class BeastConnection : public std::enable_shared_from_this<BeastConnection> {
 public:
  BeastConnection(boost::asio::ip::tcp::socket socket, ConnectionLimits::Slot slot,
                  ServerContext& context);
  ~BeastConnection();

  // Starts reading the first request; its header deadline counts from now.
  void start(uint64_t id);
  // Closes the socket from any thread (server stop).
  void close();

 private:
  class ChunkWriter;
  using Clock = std::chrono::steady_clock;
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  // Reading a request.
  void next_request();
  void read_header();
  void on_header(boost::system::error_code error);
  void read_body();
  void read_body_part();
  void on_read_error(boost::system::error_code error);
  void dispatch();

  // A request whose Host goes to a tunnel: decided on a handler thread, then answered here or
  // turned into a ByteTunnel that owns the socket from then on.
  void open_tunnel();
  void start_tunnel(TunnelAnswer answer);

  // While a handler runs: read ahead, watching for the client going away.
  void watch();

  // Running the handler (on a pool thread) and writing its response.
  void run_handler(const HttpRequest& request);
  bool write_from_handler(std::string bytes);
  void write(std::string bytes, std::function<void(bool)> then);
  void write_response(const HttpResponse& response);
  void send_from_handler(HttpResponse response);
  void finish_response(bool written);
  void continue_or_close();

  // Deadlines: one timer, re-armed for each phase; when it fires the socket is closed.
  void arm(Clock::time_point deadline);
  void disarm();
  void close_socket();
  // Answers a request that cannot be served, then closes without losing the answer to a reset.
  void refuse(std::string bytes);
  void linger();
  void discard();

  boost::asio::ip::tcp::socket socket_;  // its executor is the connection's strand
  ConnectionLimits::Slot slot_;
  ServerContext& context_;
  const std::string remote_address_;
  uint64_t id_ = 0;

  boost::asio::steady_timer deadline_;
  uint64_t deadline_generation_ = 0;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  Clock::time_point body_started_;
  uint64_t body_received_ = 0;
  size_t served_ = 0;

  // The request being handled.
  CancellationSource client_gone_;
  bool keep_alive_ = false;
  bool head_only_ = false;
  bool watching_ = false;
  bool resume_after_watch_ = false;
  std::atomic<bool> closed_{false};
  // Set once the socket belongs to a tunnel. Weak: the tunnel keeps this connection (its slot)
  // alive, and a strong pointer back would keep both, and both sockets, open forever when the
  // server stops with the tunnel's handlers still queued.
  std::weak_ptr<ByteTunnel> tunnel_;
};

}  // namespace benchtop
