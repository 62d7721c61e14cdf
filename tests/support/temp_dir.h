// A temporary directory removed on scope exit, and small file helpers, for every test (unit and
// end-to-end) that needs real files. std::filesystem::remove_all does not follow symlinks, so links
// planted by a test cannot widen the removal.
#pragma once

#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace benchtop::testing {

// A server run as root mounts each managed workspace's disk image inside its data directory, and
// the mounts outlive it; they are detached before the directory is removed so none is left behind.
inline void detach_mounts_beneath(const std::filesystem::path& root) {
  if (root.empty() || ::geteuid() != 0) return;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::vector<std::string> beneath;
  std::string line;
  const std::string prefix = root.string() + "/";
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, source_root, mount_point;
    fields >> id >> parent >> device >> source_root >> mount_point;
    if (mount_point.rfind(prefix, 0) == 0) beneath.push_back(mount_point);
  }
  // Deepest first; paths with octal escapes (spaces) are never made by the tests.
  std::sort(beneath.begin(), beneath.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& mount_point : beneath) ::umount2(mount_point.c_str(), MNT_DETACH);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "benchtop-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = std::filesystem::canonical(pattern);
  }
  ~TempDir() {
    detach_mounts_beneath(path_);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& relative) const { return path_ / relative; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The permission bits of `path` itself (a symlink is not followed); 0 when it does not exist.
inline mode_t permission_bits(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

}  // namespace benchtop::testing
