// Raw TCP clients for testing the HTTP server's behaviour against slow, partial and departing
// clients, which no ordinary HTTP client can play: bytes are sent exactly as given, from a chosen
// loopback address (127.0.0.2, 127.0.0.3, ... are distinct peers), and every wait is bounded.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "common/unique_fd.h"
#include "transport/http_server.h"

namespace benchtop::test {

using SteadyClock = std::chrono::steady_clock;

class RawClient {
 public:
  // Connects to 127.0.0.1:`port` from `from`; valid() is false when that failed.
  explicit RawClient(int port, const char* from = "127.0.0.1") {
    fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<uint16_t>(port));
    remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
      fd_.reset();
    }
  }

  // Plays one end of an already connected socket (a socketpair's, say).
  explicit RawClient(UniqueFd connected) : fd_(std::move(connected)) {}

  bool valid() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads what arrives until `done(received)` holds, the server closes, or `timeout` passes.
  // Returns everything read; closed() tells whether the server closed.
  template <class Done>
  std::string read_until(Done done, std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!done(received_) && !closed_) {
      const auto left = std::max<std::chrono::milliseconds::rep>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now())
                 .count());
      pollfd entry{fd_.get(), POLLIN, 0};
      if (::poll(&entry, 1, static_cast<int>(left)) <= 0) {
        if (left == 0) break;
        continue;
      }
      char buffer[4096];
      const ssize_t got = ::recv(fd_.get(), buffer, sizeof buffer, 0);
      if (got <= 0) {
        closed_ = true;
      } else {
        received_.append(buffer, static_cast<size_t>(got));
      }
    }
    return received_;
  }

  // A whole response with a Content-Length body (what the server sends when not streaming).
  std::string read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return read_until([](const std::string& text) { return complete_response(text); }, timeout);
  }

  // Whether `text` arrives (in everything read so far) within `timeout`.
  bool receives(std::string_view text,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return read_until([&](const std::string& all) { return all.find(text) != std::string::npos; },
                      timeout)
               .find(text) != std::string::npos;
  }

  // Whether the server closed the connection within `timeout` (reading and dropping any bytes).
  bool wait_closed(std::chrono::milliseconds timeout) {
    read_until([](const std::string&) { return false; }, timeout);
    return closed_;
  }

  bool closed() const { return closed_; }
  const std::string& received() const { return received_; }
  void forget_received() { received_.clear(); }

  static bool complete_response(const std::string& text) {
    const auto end = text.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    const auto length_at = text.find("Content-Length: ");
    if (length_at == std::string::npos || length_at > end) return true;
    const size_t length = std::stoul(text.substr(length_at + 16));
    return text.size() >= end + 4 + length;
  }

 private:
  UniqueFd fd_;
  std::string received_;
  bool closed_ = false;
};

// The status code of the first response in `text`, or 0 when there is none.
inline int status_of(const std::string& text) {
  if (text.rfind("HTTP/1.1 ", 0) != 0 || text.size() < 12) return 0;
  return std::stoi(text.substr(9, 3));
}

inline std::string get_request(const std::string& path, bool close = true) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n";
}

// An HttpServer on a free loopback port, serving on its own thread until destroyed.
class ServingHttpServer {
 public:
  ServingHttpServer(HttpServer::Options options, HttpHandler handler)
      : server_(with_free_port(std::move(options)), std::move(handler)) {
    auto port = server_.bind();
    if (port) port_ = *port;
    thread_ = std::thread([this] { server_.run(); });
  }
  ~ServingHttpServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  static HttpServer::Options with_free_port(HttpServer::Options options) {
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }
  HttpServer server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace benchtop::test
