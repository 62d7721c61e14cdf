#include "transport/http_module/beast_connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <future>
#include <vector>

#include "transport/http_module/http_message.h"

namespace benchtop {
namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = net::ip::tcp;

namespace {

// Larger headers get 431. Generous for bearer tokens and cookies, small next to the body limit.
constexpr size_t kHeaderLimit = 64 * 1024;
// Bytes read ahead while a handler runs (a pipelined request). Past this the connection stops
// reading until the response is out, and a client leaving is noticed at the next write instead.
constexpr size_t kReadAheadLimit = 64 * 1024;
constexpr size_t kReadChunk = 4096;
// How long a closing connection goes on reading and discarding, so that its last response (a
// 413 sent before the body was read, say) is not destroyed by a reset (a "lingering close").
constexpr auto kLinger = std::chrono::seconds(2);

std::string remote_of(const tcp::socket& socket) {
  error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  return error ? std::string() : endpoint.address().to_string();
}

bool is_http_error(const error_code& error) {
  return error.category() == http::make_error_code(http::error::bad_target).category();
}

}  // namespace

uint64_t ConnectionRegistry::add(const std::shared_ptr<BeastConnection>& connection) {
  std::lock_guard lock(mutex_);
  const uint64_t id = ++next_id_;
  connections_.emplace(id, connection);
  return id;
}

void ConnectionRegistry::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

void ConnectionRegistry::close_all() {
  std::vector<std::shared_ptr<BeastConnection>> open;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, connection] : connections_) {
      if (auto alive = connection.lock()) open.push_back(std::move(alive));
    }
  }
  for (const auto& connection : open) connection->close();
}

// Chunks of a streamed body, written from the handler's thread; each write waits until the bytes
// are out (or the write deadline passed), so a stream is never buffered behind a slow client.
class BeastConnection::ChunkWriter final : public StreamWriter {
 public:
  ChunkWriter(BeastConnection& connection, bool alive) : connection_(connection), alive_(alive) {}
  bool write(std::string_view data) override {
    if (!alive_) return false;
    if (data.empty()) return true;  // an empty chunk would end the body
    alive_ = connection_.write_from_handler(chunk(data));
    return alive_;
  }
  bool alive() const { return alive_; }

 private:
  BeastConnection& connection_;
  bool alive_;
};

BeastConnection::BeastConnection(tcp::socket socket, ConnectionLimits::Slot slot,
                                 ServerContext& context)
    : socket_(std::move(socket)),
      slot_(std::move(slot)),
      context_(context),
      remote_address_(remote_of(socket_)),
      deadline_(socket_.get_executor()) {}

BeastConnection::~BeastConnection() {
  if (id_ != 0) context_.registry.remove(id_);
}

void BeastConnection::start(uint64_t id) {
  id_ = id;
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->next_request(); });
}

void BeastConnection::close() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->close_socket(); });
}

void BeastConnection::next_request() {
  if (closed_) return;
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(context_.options.max_body_bytes);
  if (served_ > 0 && buffer_.size() == 0) {
    // A kept-alive connection may wait idle; the header deadline starts at the first byte.
    arm(Clock::now() + context_.options.idle_timeout);
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code error) {
      if (error) return self->close_socket();
      self->read_header();
    });
    return;
  }
  read_header();
}

void BeastConnection::read_header() {
  arm(Clock::now() + context_.options.header_timeout);
  http::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](error_code error, size_t) { self->on_header(error); });
}

void BeastConnection::on_header(error_code error) {
  if (error) return on_read_error(error);
  if (const auto& claims = context_.options.tunnels.claims) {
    const auto host = parser_->get()[http::field::host];
    if (claims(std::string_view(host.data(), host.size()))) return open_tunnel();
  }
  if (parser_->is_done()) return dispatch();
  if (boost::beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    disarm();
    write("HTTP/1.1 100 Continue\r\n\r\n", [self = shared_from_this()](bool written) {
      if (written) self->read_body();
    });
    return;
  }
  read_body();
}

void BeastConnection::read_body() {
  body_started_ = Clock::now();
  body_received_ = 0;
  read_body_part();
}

void BeastConnection::read_body_part() {
  if (parser_->is_done()) return dispatch();
  const auto& options = context_.options;
  const uint64_t rate = std::max<uint64_t>(options.min_body_rate, 1);
  arm(body_started_ + options.body_timeout +
      std::chrono::milliseconds(body_received_ * 1000 / rate));
  http::async_read_some(socket_, buffer_, *parser_,
                        [self = shared_from_this()](error_code error, size_t bytes) {
                          if (error) return self->on_read_error(error);
                          self->body_received_ += bytes;
                          self->read_body_part();
                        });
}

void BeastConnection::on_read_error(error_code error) {
  disarm();
  if (closed_) return;  // a deadline passed, or the server is stopping
  if (error == http::error::body_limit) {
    return refuse(full_response(too_large(context_.options.max_body_bytes), false, false));
  }
  if (error == http::error::header_limit) {
    return refuse(refusal(431, "Request Header Fields Too Large"));
  }
  if (error != http::error::end_of_stream && error != http::error::partial_message &&
      is_http_error(error)) {
    return refuse(refusal(400, "Bad Request"));
  }
  close_socket();
}

void BeastConnection::dispatch() {
  disarm();
  keep_alive_ = parser_->get().keep_alive();
  head_only_ = parser_->get().method() == http::verb::head;
  client_gone_ = CancellationSource();
  HttpRequest request = to_http_request(parser_->release(), remote_address_);
  parser_.reset();
  request.client_gone = client_gone_.token();

  const auto& inline_paths = context_.options.inline_paths;
  if (std::find(inline_paths.begin(), inline_paths.end(), request.path) != inline_paths.end()) {
    HttpResponse response;
    try {
      response = context_.handler(request);
    } catch (...) {
      response = internal_error();
    }
    if (!response.stream) return write_response(response);
    context_.pool.submit([self = shared_from_this(), response = std::move(response)]() mutable {
      self->send_from_handler(std::move(response));
    });
  } else {
    context_.pool.submit([self = shared_from_this(), request = std::move(request)]() {
      self->run_handler(request);
    });
  }
  watch();
}

void BeastConnection::open_tunnel() {
  disarm();
  TunnelRequest request = to_tunnel_request(parser_->get(), remote_address_);
  parser_.reset();
  context_.pool.submit([self = shared_from_this(), request = std::move(request)]() {
    auto answer = std::make_shared<TunnelAnswer>();
    try {
      *answer = self->context_.options.tunnels.open(request);
    } catch (...) {
      answer->response = internal_error();
    }
    net::post(self->socket_.get_executor(),
              [self, answer] { self->start_tunnel(std::move(*answer)); });
  });
}

void BeastConnection::start_tunnel(TunnelAnswer answer) {
  if (closed_) return;
  if (answer.response) {
    // The body, if any, was not read: the connection ends after the answer.
    keep_alive_ = false;
    head_only_ = false;
    return write_response(*answer.response);
  }
  int family = 0;
  int protocol = 0;
  socklen_t length = sizeof family;
  const int fd = answer.upstream.get();
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &length) != 0 ||
      (length = sizeof protocol, ::getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length)) !=
          0) {
    return close_socket();
  }
  ByteTunnel::Upstream upstream(socket_.get_executor());
  error_code error;
  upstream.assign(net::generic::stream_protocol(family, protocol), fd, error);
  if (error) return close_socket();
  answer.upstream.release();
  // What the client sent after the head (the start of a body) follows the rewritten head.
  std::string first = std::move(answer.head);
  const auto pending = buffer_.data();
  first.append(net::buffers_begin(pending), net::buffers_end(pending));
  buffer_.consume(buffer_.size());
  auto tunnel =
      std::make_shared<ByteTunnel>(std::move(socket_), std::move(upstream),
                                   context_.options.tunnels.idle_timeout, shared_from_this());
  tunnel_ = tunnel;
  tunnel->start(std::move(first));
}

void BeastConnection::watch() {
  if (closed_ || buffer_.size() >= kReadAheadLimit) return;
  watching_ = true;
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](error_code error, size_t bytes) {
                            self->watching_ = false;
                            if (!error) {
                              self->buffer_.commit(bytes);
                            } else if (error != net::error::operation_aborted) {
                              self->close_socket();  // the client went away
                            }
                            if (self->resume_after_watch_) {
                              self->resume_after_watch_ = false;
                              return self->continue_or_close();
                            }
                            if (!error) self->watch();
                          });
}

void BeastConnection::run_handler(const HttpRequest& request) {
  HttpResponse response;
  try {
    response = context_.handler(request);
  } catch (...) {
    response = internal_error();
  }
  send_from_handler(std::move(response));
}

void BeastConnection::send_from_handler(HttpResponse response) {
  if (!response.stream) {
    net::post(socket_.get_executor(), [self = shared_from_this(), response = std::move(response)] {
      self->write_response(response);
    });
    return;
  }
  // The producer runs even when the head could not be written: its first write then fails, and
  // it learns that the client has gone.
  ChunkWriter writer(*this, write_from_handler(response_head(response, std::nullopt, keep_alive_)));
  response.stream(writer);
  const bool written = writer.alive() && write_from_handler(std::string(kLastChunk));
  net::post(socket_.get_executor(),
            [self = shared_from_this(), written] { self->finish_response(written); });
}

bool BeastConnection::write_from_handler(std::string bytes) {
  if (closed_) return false;
  auto done = std::make_shared<std::promise<bool>>();
  auto written = done->get_future();
  net::post(socket_.get_executor(),
            [self = shared_from_this(), bytes = std::move(bytes), done]() mutable {
              self->write(std::move(bytes), [done](bool ok) { done->set_value(ok); });
            });
  try {
    return written.get();
  } catch (const std::future_error&) {
    return false;  // the server stopped before the write could start
  }
}

void BeastConnection::write(std::string bytes, std::function<void(bool)> then) {
  if (closed_) return then(false);
  auto data = std::make_shared<std::string>(std::move(bytes));
  arm(Clock::now() + context_.options.write_timeout);
  net::async_write(
      socket_, net::buffer(*data),
      [self = shared_from_this(), data, then = std::move(then)](error_code error, size_t) {
        self->disarm();
        if (error) self->close_socket();
        then(!error);
      });
}

void BeastConnection::write_response(const HttpResponse& response) {
  write(full_response(response, keep_alive_, head_only_),
        [self = shared_from_this()](bool written) { self->finish_response(written); });
}

void BeastConnection::finish_response(bool written) {
  ++served_;
  // The response is complete: the client leaving from now on cancels nothing.
  client_gone_ = CancellationSource();
  if (!written) return close_socket();
  continue_or_close();
}

void BeastConnection::continue_or_close() {
  if (closed_) return;
  if (watching_) {
    // The read-ahead must end before the next request is read; it comes back here.
    resume_after_watch_ = true;
    error_code ignored;
    socket_.cancel(ignored);
    return;
  }
  if (!keep_alive_) return linger();
  next_request();
}

void BeastConnection::refuse(std::string bytes) {
  write(std::move(bytes), [self = shared_from_this()](bool written) {
    if (written) self->linger();
  });
}

void BeastConnection::linger() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  arm(Clock::now() + kLinger);
  discard();
}

void BeastConnection::discard() {
  buffer_.clear();
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](error_code error, size_t) {
                            if (error) return self->close_socket();
                            self->discard();
                          });
}

void BeastConnection::arm(Clock::time_point deadline) {
  deadline_.expires_at(deadline);
  deadline_.async_wait(
      [self = shared_from_this(), generation = ++deadline_generation_](error_code error) {
        if (!error && generation == self->deadline_generation_) self->close_socket();
      });
}

void BeastConnection::disarm() {
  ++deadline_generation_;
  deadline_.cancel();
}

void BeastConnection::close_socket() {
  if (auto tunnel = tunnel_.lock()) return tunnel->close();
  if (closed_.exchange(true)) return;
  client_gone_.cancel();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  disarm();
}

}  // namespace benchtop
