#include "server/sandbox/supervisor/wire.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace benchtop::supervisor {
namespace {

constexpr size_t kHeaderBytes = 8;

Error failure(const std::string& what, const char* code) {
  return Error::make(what, code);
}

// Waits until `socket` is ready for `events` or the deadline passes.
Status wait_ready(int socket, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return failure("the supervisor did not answer in time", "timeout");
    pollfd entry{socket, events, 0};
    const int ready =
        ::poll(&entry, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 60'000)));
    if (ready > 0) return {};
    if (ready < 0 && errno != EINTR) return failure(std::strerror(errno), "io");
  }
}

Status send_all(int socket, const char* data, size_t size, Clock::time_point deadline) {
  while (size > 0) {
    const ssize_t sent = ::send(socket, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      data += sent;
      size -= static_cast<size_t>(sent);
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (auto ready = wait_ready(socket, POLLOUT, deadline); !ready) return ready;
      continue;
    }
    if (sent < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      return failure("the connection was closed", "closed");
    }
    return failure(std::string("send: ") + std::strerror(errno), "io");
  }
  return {};
}

// Reads exactly `size` bytes; descriptors that arrive on the way are appended to `fds`.
Status receive_exactly(int socket, char* data, size_t size, std::vector<UniqueFd>& fds,
                       bool at_frame_start, Clock::time_point deadline) {
  size_t received = 0;
  while (received < size) {
    iovec io{data + received, size - received};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * kMaxFds)> control{};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(socket, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n > 0) {
      for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
           header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        const size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
          int fd = -1;
          std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof fd);
          fds.emplace_back(fd);
        }
      }
      if ((message.msg_flags & MSG_CTRUNC) != 0 || fds.size() > kMaxFds) {
        return failure("a frame carried too many descriptors", "protocol");
      }
      received += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      if (at_frame_start && received == 0) return failure("the connection was closed", "closed");
      return failure("the connection closed in the middle of a frame", "protocol");
    }
    if (errno == EAGAIN || errno == EINTR) {
      if (auto ready = wait_ready(socket, POLLIN, deadline); !ready) return ready;
      continue;
    }
    if (errno == ECONNRESET) return failure("the connection was reset", "closed");
    return failure(std::string("recvmsg: ") + std::strerror(errno), "io");
  }
  return {};
}

void put_u32(char* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t get_u32(const char* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value |= static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return value;
}

}  // namespace

Status send_frame(int socket, const nlohmann::json& body, std::string_view payload,
                  std::span<const int> fds, Clock::time_point deadline) {
  const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kMaxJsonBytes || payload.size() > kMaxPayloadBytes || fds.size() > kMaxFds) {
    return failure("a frame exceeds its bounds", "protocol");
  }
  char header[kHeaderBytes];
  put_u32(header, static_cast<uint32_t>(text.size()));
  put_u32(header + 4, static_cast<uint32_t>(payload.size()));

  // The header goes with the descriptors, in one sendmsg, so the receiver finds them with it.
  iovec io{header, kHeaderBytes};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * kMaxFds)> control{};
  if (!fds.empty()) {
    message.msg_control = control.data();
    message.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* entry = CMSG_FIRSTHDR(&message);
    entry->cmsg_level = SOL_SOCKET;
    entry->cmsg_type = SCM_RIGHTS;
    entry->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(entry), fds.data(), sizeof(int) * fds.size());
  }
  size_t sent = 0;
  for (;;) {
    const ssize_t n = ::sendmsg(socket, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent = static_cast<size_t>(n);
      break;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (auto ready = wait_ready(socket, POLLOUT, deadline); !ready) return ready;
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      return failure("the connection was closed", "closed");
    }
    return failure(std::string("sendmsg: ") + std::strerror(errno), "io");
  }
  if (auto rest = send_all(socket, header + sent, kHeaderBytes - sent, deadline); !rest)
    return rest;
  if (auto json = send_all(socket, text.data(), text.size(), deadline); !json) return json;
  return send_all(socket, payload.data(), payload.size(), deadline);
}

Result<Frame> receive_frame(int socket, Clock::time_point deadline) {
  Frame frame;
  char header[kHeaderBytes];
  if (auto got = receive_exactly(socket, header, kHeaderBytes, frame.fds, true, deadline); !got) {
    return got.take_error();
  }
  const uint32_t json_size = get_u32(header);
  const uint32_t payload_size = get_u32(header + 4);
  if (json_size == 0 || json_size > kMaxJsonBytes || payload_size > kMaxPayloadBytes) {
    return failure("a frame's lengths are out of bounds", "protocol");
  }
  std::string text(json_size, '\0');
  if (auto got = receive_exactly(socket, text.data(), text.size(), frame.fds, false, deadline);
      !got) {
    return got.take_error();
  }
  frame.payload.resize(payload_size);
  if (auto got = receive_exactly(socket, frame.payload.data(), frame.payload.size(), frame.fds,
                                 false, deadline);
      !got) {
    return got.take_error();
  }
  frame.body = nlohmann::json::parse(text, nullptr, false);
  if (!frame.body.is_object()) return failure("a frame's text is not a JSON object", "protocol");
  return frame;
}

Result<std::pair<UniqueFd, UniqueFd>> socket_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Error::make(std::string("socketpair: ") + std::strerror(errno), "io");
  }
  return std::pair<UniqueFd, UniqueFd>(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

}  // namespace benchtop::supervisor
