// Change notification for single files, on inotify: what makes resource subscriptions deliver
// notifications/resources/updated when a project file changes, through benchtop's tools or
// from outside (an editor, a build).
//
// The directory holding the file is watched, not the file: tools and editors replace files by
// writing a temporary file and renaming it over the old one, which a watch on the file's own inode
// would not survive. The directory comes as an fd opened through the workspace guard, so the watch
// lands on the inode the guard resolved and a path swapped for a symlink cannot redirect it.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop {

class FileWatcher {
 public:
  using Callback = std::function<void()>;

  FileWatcher();
  ~FileWatcher();  // stops the thread (if a watch started one); no callback runs after it returns
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Calls `on_change` on the watcher's thread each time the entry `name` of `directory` (an open
  // fd of a directory, O_PATH will do) is written and closed, created, deleted, or moved in or
  // out. Watches last as long as the watcher (or until the directory is deleted).
  Status watch(int directory, const std::string& name, Callback on_change);

 private:
  Status start_locked();
  void run();

  UniqueFd inotify_;
  UniqueFd stop_;  // an eventfd: written by the destructor to end run()
  std::mutex mutex_;
  // Watch descriptor → entry name → callbacks.
  std::map<int, std::multimap<std::string, Callback>> callbacks_;
  std::thread thread_;
};

}  // namespace benchtop
