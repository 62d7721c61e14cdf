// The HTTP server over Boost.Beast. One I/O thread accepts connections and reads requests
// asynchronously, each under whole-header and whole-body deadlines, with caps on open
// connections in total and per client; complete requests go to a bounded pool of handler threads
// (see beast_connection.h). cpp-httplib's server, used before, serves each connection on a pool
// thread for the connection's whole life with a timeout per read, not per request: a client
// sending a header byte every few seconds held a thread indefinitely, and a few dozen of them
// starved the server before any authentication ran.
#include "transport/http_module/beast_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "transport/http_module/beast_connection.h"
#include "transport/http_module/connection_limits.h"
#include "transport/http_module/handler_pool.h"
#include "transport/http_module/http_message.h"

namespace benchtop {
namespace {

namespace net = boost::asio;
using boost::system::error_code;
using tcp = net::ip::tcp;

class BeastServer final : public HttpServerBackend {
 public:
  BeastServer(HttpServer::Options options, HttpHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        limits_(options_.max_connections, options_.max_connections_per_peer),
        pool_(options_.threads),
        context_{options_, handler_, pool_, registry_} {}

  ~BeastServer() override {
    stop();
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !running_; });
  }

  Result<int> bind() override;
  void run() override;
  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stop_requested_ = true;
    }
    changed_.notify_all();
  }

 private:
  void accept();
  void admit(tcp::socket socket);

  HttpServer::Options options_;
  HttpHandler handler_;
  ConnectionLimits limits_;
  HandlerPool pool_;
  ConnectionRegistry registry_;
  ServerContext context_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_requested_ = false;
  bool running_ = false;

  // Last, so that it is destroyed first: handlers it still holds own connections, which give
  // their slots back to limits_ and leave registry_.
  net::io_context io_{1};
  tcp::acceptor acceptor_{io_};
  net::steady_timer accept_retry_{io_};
};

Result<int> BeastServer::bind() {
  const std::string port = std::to_string(options_.port);
  error_code error;
  tcp::resolver resolver(io_);
  const auto endpoints = resolver.resolve(
      options_.host, port, tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (!error) {
    for (const auto& entry : endpoints) {
      error_code failed;
      acceptor_.open(entry.endpoint().protocol(), failed);
      // SO_REUSEADDR only lets a restart bind while old connections sit in TIME_WAIT; it never
      // shares a port with a live listener (SO_REUSEPORT would, and is not set).
      if (!failed) acceptor_.set_option(tcp::acceptor::reuse_address(true), failed);
      if (!failed) acceptor_.bind(entry.endpoint(), failed);
      if (!failed) acceptor_.listen(net::socket_base::max_listen_connections, failed);
      if (!failed) return static_cast<int>(acceptor_.local_endpoint().port());
      error_code ignored;
      acceptor_.close(ignored);
      // A name like "localhost" resolves to 127.0.0.1 and ::1. Trying the next address is right
      // when this one does not exist here (no IPv6), never when another server holds the port:
      // that server would get the IPv4 clients and this one the IPv6 ones.
      if (failed == net::error::address_in_use) {
        return Error::make("cannot listen on " + options_.host + ":" + port + ": port " + port +
                               " is already in use (is another benchtop serve running?); "
                               "choose another with --port",
                           "address_in_use");
      }
    }
  }
  if (options_.port == 0)
    return Error::make("cannot bind " + options_.host + ": address unavailable");
  return Error::make("cannot bind " + options_.host + ":" + port +
                     " (in use, or not a local address)");
}

void BeastServer::run() {
  {
    std::lock_guard lock(mutex_);
    if (stop_requested_ || !acceptor_.is_open()) return;
    running_ = true;
  }
  auto work = net::make_work_guard(io_);
  accept();
  std::thread io([this] {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (...) {
        // A handler threw (out of memory): keep serving the other connections.
      }
    }
  });
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stop_requested_; });
  }
  // Closing every connection makes the handlers' writes fail, so streams end and the handler
  // threads can be joined; the I/O thread runs until then to complete those writes.
  net::post(io_, [this] {
    error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    registry_.close_all();
  });
  pool_.shutdown();
  work.reset();
  io_.stop();
  io.join();
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  changed_.notify_all();
}

void BeastServer::accept() {
  acceptor_.async_accept(net::any_io_executor(net::make_strand(io_)),
                         [this](error_code error, tcp::socket socket) {
                           if (!acceptor_.is_open()) return;
                           if (error) {
                             // Out of file descriptors, or a connection reset before it was
                             // accepted: try again shortly instead of spinning.
                             accept_retry_.expires_after(std::chrono::milliseconds(50));
                             accept_retry_.async_wait([this](error_code aborted) {
                               if (!aborted) accept();
                             });
                             return;
                           }
                           admit(std::move(socket));
                           accept();
                         });
}

void BeastServer::admit(tcp::socket socket) {
  error_code error;
  const auto peer = socket.remote_endpoint(error);
  if (error) return;
  // Small JSON-RPC replies and SSE events must not wait for delayed ACKs (Nagle adds ~40 ms).
  socket.set_option(tcp::no_delay(true), error);
  auto slot = limits_.admit(peer_key(peer.address()));
  if (!slot) {
    // Refused at once, without blocking the accept loop: whatever of the 503 fits is sent.
    static const std::string busy = refusal(503, "Too many connections; try again later");
    socket.non_blocking(true, error);
    socket.write_some(net::buffer(busy), error);
    socket.shutdown(tcp::socket::shutdown_both, error);
    socket.close(error);
    return;
  }
  auto connection =
      std::make_shared<BeastConnection>(std::move(socket), std::move(*slot), context_);
  connection->start(registry_.add(connection));
}

}  // namespace

std::unique_ptr<HttpServerBackend> make_beast_server(const HttpServer::Options& options,
                                                     HttpHandler handler) {
  return std::make_unique<BeastServer>(options, std::move(handler));
}

}  // namespace benchtop
