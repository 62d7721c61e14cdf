#include "server/sandbox/supervisor/client.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <string>

namespace benchtop::supervisor {
namespace {

Error errno_error(const std::string& what, const char* code = "io") {
  return Error::make(what + ": " + std::strerror(errno), code);
}

// sockaddr_un holds 107 bytes of path; a data directory can be deeper than that. The socket is
// then named through an O_PATH descriptor of its directory (/proc/self/fd/N/name), which the
// kernel resolves like any path.
struct SocketAddress {
  sockaddr_un address{};
  socklen_t length = 0;
  UniqueFd directory;
};

Result<SocketAddress> address_of(const std::filesystem::path& path) {
  SocketAddress result;
  result.address.sun_family = AF_UNIX;
  std::string name = path.string();
  if (name.size() >= sizeof result.address.sun_path) {
    result.directory.reset(::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!result.directory) return errno_error("open " + path.parent_path().string());
    name =
        "/proc/self/fd/" + std::to_string(result.directory.get()) + "/" + path.filename().string();
    if (name.size() >= sizeof result.address.sun_path) {
      return Error::make("socket name too long: " + path.filename().string(), "invalid_path");
    }
  }
  std::memcpy(result.address.sun_path, name.c_str(), name.size() + 1);
  result.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
  return result;
}

timeval timeval_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
  if (left.count() < 1000) left = std::chrono::microseconds(1000);
  return timeval{static_cast<time_t>(left.count() / 1'000'000),
                 static_cast<suseconds_t>(left.count() % 1'000'000)};
}

}  // namespace

Result<Connection> Connection::open(const std::filesystem::path& socket,
                                    Clock::time_point deadline) {
  auto address = address_of(socket);
  if (!address) return address.take_error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error("socket");
  // A blocking connect bounded by SO_SNDTIMEO: it waits while the supervisor's backlog is full,
  // never past the deadline.
  const timeval timeout = timeval_until(deadline);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  while (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address->address),
                   address->length) != 0) {
    if (errno == EINTR) continue;
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return Error::make("no sandbox supervisor listens at " + socket.string(), "unavailable");
    }
    if (errno == EAGAIN || errno == EINPROGRESS) {
      return Error::make("the sandbox supervisor did not accept the connection in time", "timeout");
    }
    return errno_error("connect " + socket.string());
  }
  return Connection(std::move(fd));
}

Result<Frame> Connection::call(const nlohmann::json& request, std::string_view payload,
                               std::span<const int> fds, Clock::time_point deadline) {
  if (auto sent = send_frame(fd_.get(), request, payload, fds, deadline); !sent) {
    return sent.take_error();
  }
  auto answer = receive_frame(fd_.get(), deadline);
  if (!answer) {
    if (answer.error().code == "closed") {
      return Error::make("the sandbox supervisor closed the connection without answering",
                         "protocol");
    }
    return answer.take_error();
  }
  const auto ok = answer->body.find("ok");
  if (ok == answer->body.end() || !ok->is_boolean()) {
    return Error::make("the sandbox supervisor's answer has no \"ok\"", "protocol");
  }
  if (!ok->get<bool>()) {
    const auto error = answer->body.find("error");
    return Error::make(error != answer->body.end() && error->is_string()
                           ? error->get<std::string>()
                           : std::string("the sandbox supervisor refused the request"),
                       "sandbox");
  }
  return answer;
}

Result<Frame> request(const std::filesystem::path& socket, const nlohmann::json& body,
                      std::chrono::milliseconds timeout, std::string_view payload,
                      std::span<const int> fds) {
  const auto deadline = Clock::now() + timeout;
  auto connection = Connection::open(socket, deadline);
  if (!connection) return connection.take_error();
  return connection->call(body, payload, fds, deadline);
}

Result<UniqueFd> listen_at(const std::filesystem::path& path) {
  auto address = address_of(path);
  if (!address) return address.take_error();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error("socket");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("unlink " + path.string());
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address->address), address->length) !=
      0) {
    return errno_error("bind " + path.string());
  }
  // Only this user may connect (its directory is private too; this holds if it is not).
  if (::chmod(address->address.sun_path, 0600) != 0) return errno_error("chmod " + path.string());
  if (::listen(fd.get(), 128) != 0) return errno_error("listen");
  return fd;
}

}  // namespace benchtop::supervisor
