#include "server/sandbox/supervisor/tcp_connect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace benchtop::supervisor {
namespace {

// errno of the attempt (0 on success), so the caller can tell "refused" from other failures.
int attempt(int family, uint16_t port, std::chrono::milliseconds limit, UniqueFd& connected) {
  UniqueFd socket(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!socket) return errno;
  sockaddr_storage address{};
  socklen_t length = 0;
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof *v4;
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    v6->sin6_addr = in6addr_loopback;
    length = sizeof *v6;
  }
  if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EINPROGRESS) return errno;
    // Non-blocking, so a port that swallows SYNs (a firewall rule in the project) holds the
    // supervisor's loop for `limit` at most.
    pollfd entry{socket.get(), POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&entry, 1, static_cast<int>(limit.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready < 0) return errno;
    if (ready == 0) return ETIMEDOUT;
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
    if (error != 0) return error;
  }
  // The caller gets an ordinary blocking socket, as if it had connected itself.
  const int flags = ::fcntl(socket.get(), F_GETFL);
  if (flags >= 0) ::fcntl(socket.get(), F_SETFL, flags & ~O_NONBLOCK);
  connected = std::move(socket);
  return 0;
}

}  // namespace

Result<UniqueFd> connect_loopback(uint16_t port, std::chrono::milliseconds limit) {
  UniqueFd connected;
  const int v4 = attempt(AF_INET, port, limit, connected);
  if (v4 == 0) return connected;
  const std::string target = "cannot connect to port " + std::to_string(port);
  if (v4 != ECONNREFUSED) return Error::make(target + " on 127.0.0.1: " + std::strerror(v4));
  const int v6 = attempt(AF_INET6, port, limit, connected);
  if (v6 == 0) return connected;
  if (v6 == EAFNOSUPPORT || v6 == EADDRNOTAVAIL || v6 == ENETUNREACH) {
    return Error::make(target + " on 127.0.0.1: " + std::strerror(v4));
  }
  return Error::make(target + " on 127.0.0.1 or ::1: " + std::strerror(v6));
}

}  // namespace benchtop::supervisor
