#include "transport/http_module/byte_tunnel.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace benchtop {
namespace net = boost::asio;
using boost::system::error_code;

ByteTunnel::ByteTunnel(net::ip::tcp::socket client, Upstream upstream,
                       std::chrono::milliseconds idle_timeout, std::shared_ptr<void> owner)
    : client_(std::move(client)),
      upstream_(std::move(upstream)),
      idle_timeout_(idle_timeout),
      owner_(std::move(owner)),
      idle_(client_.get_executor()) {}

void ByteTunnel::start(std::string first) {
  auto data = std::make_shared<std::string>(std::move(first));
  arm();
  net::async_write(
      upstream_, net::buffer(*data), [self = shared_from_this(), data](error_code error, size_t) {
        if (error) return self->close_now();
        self->pump(self->client_, self->upstream_, self->to_upstream_, self->upstream_done_);
        self->pump(self->upstream_, self->client_, self->to_client_, self->client_done_);
      });
}

void ByteTunnel::close() {
  net::post(client_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

template <class From, class To>
void ByteTunnel::pump(From& from, To& to, Buffer& buffer, bool& done) {
  if (closed_) return;
  from.async_read_some(net::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer, &done](
                                                error_code error, size_t bytes) {
    if (error == net::error::eof) return self->finish_direction(to, done);
    if (error) return self->close_now();
    self->arm();
    net::async_write(to, net::buffer(buffer.data(), bytes),
                     [self, &from, &to, &buffer, &done](error_code written, size_t) {
                       if (written) return self->close_now();
                       self->pump(from, to, buffer, done);
                     });
  });
}

template <class To>
void ByteTunnel::finish_direction(To& to, bool& done) {
  done = true;
  if (upstream_done_ && client_done_) return close_now();
  // Half-close, as the sender did: an HTTP client that shut its side still reads the response.
  error_code ignored;
  to.shutdown(net::socket_base::shutdown_send, ignored);
}

void ByteTunnel::arm() {
  idle_.expires_after(idle_timeout_);
  idle_.async_wait([self = shared_from_this(), generation = ++idle_generation_](error_code error) {
    if (!error && generation == self->idle_generation_) self->close_now();
  });
}

void ByteTunnel::close_now() {
  if (closed_.exchange(true)) return;
  error_code ignored;
  client_.shutdown(net::socket_base::shutdown_both, ignored);
  client_.close(ignored);
  upstream_.shutdown(net::socket_base::shutdown_both, ignored);
  upstream_.close(ignored);
  ++idle_generation_;
  idle_.cancel();
  // The connection may go now (its slot with it); pending handlers end with operation_aborted.
  owner_.reset();
}

}  // namespace benchtop
