#include "server/workspace/changes/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

namespace benchtop {
namespace {

constexpr uint32_t kEntryEvents =
    IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;

}  // namespace

FileWatcher::FileWatcher() = default;

FileWatcher::~FileWatcher() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  (void)!::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

// The inotify instance and its thread are made on the first watch: most runs never subscribe.
Status FileWatcher::start_locked() {
  if (thread_.joinable()) return {};
  inotify_ = UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  stop_ = UniqueFd(::eventfd(0, EFD_CLOEXEC));
  if (!inotify_ || !stop_) {
    return Error::make(std::string("file watching is unavailable: ") + std::strerror(errno));
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

Status FileWatcher::watch(int directory, const std::string& name, Callback on_change) {
  std::lock_guard lock(mutex_);
  if (auto started = start_locked(); !started) return started;
  // The magic link names the very directory the fd holds (inotify_add_watch takes a path).
  const std::string path = "/proc/self/fd/" + std::to_string(directory);
  const int descriptor =
      ::inotify_add_watch(inotify_.get(), path.c_str(), kEntryEvents | IN_ONLYDIR);
  if (descriptor < 0) {
    return Error::make(std::string("cannot watch the directory: ") + std::strerror(errno));
  }
  callbacks_[descriptor].emplace(name, std::move(on_change));
  return {};
}

void FileWatcher::run() {
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const ssize_t n = ::read(inotify_.get(), buffer, sizeof buffer);
    if (n <= 0) continue;
    // Collected first and called after the lock is released, so a callback may add watches.
    std::vector<Callback> due;
    std::set<std::pair<int, std::string>> seen;  // one call per entry per batch of events
    {
      std::lock_guard lock(mutex_);
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        auto watched = callbacks_.find(event->wd);
        if (watched == callbacks_.end()) continue;
        if (event->mask & IN_IGNORED) {  // the directory is gone
          callbacks_.erase(watched);
          continue;
        }
        if (event->len == 0) continue;
        const std::string name(event->name);
        if (!seen.emplace(event->wd, name).second) continue;
        const auto [first, last] = watched->second.equal_range(name);
        for (auto it = first; it != last; ++it) due.push_back(it->second);
      }
    }
    for (const auto& callback : due) callback();
  }
}

}  // namespace benchtop
