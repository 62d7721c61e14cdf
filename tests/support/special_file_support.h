// Special files (FIFO, socket, character device) planted in a workspace, and a way to run a call
// that might block on one with a deadline instead of hanging the test binary.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace benchtop::testing {

enum class SpecialKind { kFifo, kSocket, kCharDevice };

inline const char* special_kind_name(SpecialKind kind) {
  switch (kind) {
    case SpecialKind::kFifo:
      return "fifo";
    case SpecialKind::kSocket:
      return "socket";
    case SpecialKind::kCharDevice:
      return "char_device";
  }
  return "?";
}

// Creates a special file at `path`; false when this host does not allow it (a device node needs
// CAP_MKNOD), so the caller can skip. The character device is /dev/zero's (1, 5): endless data.
inline bool make_special(const std::filesystem::path& path, SpecialKind kind) {
  switch (kind) {
    case SpecialKind::kFifo:
      return ::mkfifo(path.c_str(), 0644) == 0;
    case SpecialKind::kCharDevice:
      return ::mknod(path.c_str(), S_IFCHR | 0644, makedev(1, 5)) == 0;
    case SpecialKind::kSocket: {
      sockaddr_un address{};
      address.sun_family = AF_UNIX;
      if (path.native().size() >= sizeof address.sun_path) return false;
      std::strcpy(address.sun_path, path.c_str());
      const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) return false;
      const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
      ::close(fd);  // the socket file stays
      return bound;
    }
  }
  return false;
}

// Runs `call` on its own thread and reports whether it returned within `limit`. If it did not,
// `unblock` is run every 50 ms until the call returns, so a failing test still ends.
inline bool returns_within(std::chrono::milliseconds limit, const std::function<void()>& call,
                           const std::function<void()>& unblock) {
  std::promise<void> finished;
  std::future<void> done = finished.get_future();
  std::thread worker([&] {
    call();
    finished.set_value();
  });
  const bool in_time = done.wait_for(limit) == std::future_status::ready;
  while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) unblock();
  worker.join();
  return in_time;
}

// As above; the release opens every FIFO in `fifos` for writing and closes it again, which ends a
// reader blocked in open() or read() of it.
inline bool returns_within(std::chrono::milliseconds limit, const std::function<void()>& call,
                           const std::vector<std::filesystem::path>& fifos = {}) {
  return returns_within(limit, call, [&] {
    for (const auto& fifo : fifos) {
      const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) ::close(fd);
    }
  });
}

}  // namespace benchtop::testing
