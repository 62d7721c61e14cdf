#include "server/storage/data_dir.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace benchtop {
namespace {

// The home directory from the password database, for services started without HOME.
Result<std::string> home_from_passwd() {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  const int rc = ::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0 || !found || !found->pw_dir || found->pw_dir[0] != '/') {
    return Error::make(
        "Cannot find a data directory: HOME is not set and the user has no home directory in "
        "the password database. Set XDG_DATA_HOME or HOME, or pass --data-dir.",
        "not_found");
  }
  return std::string(found->pw_dir);
}

Status make_private_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      return Error::make(dir.string() + " exists but is not a directory", "not_directory");
    }
    return {};
  }
  return Error::make("Cannot create " + dir.string() + ": " + std::strerror(errno), "io_error");
}

}  // namespace

Result<DataDir> DataDir::from_environment(std::string_view xdg_data_home, std::string_view home) {
  if (!xdg_data_home.empty() && xdg_data_home.front() == '/') {
    return DataDir(std::filesystem::path(xdg_data_home) / "benchtop");
  }
  std::string home_dir(home);
  if (home_dir.empty() || home_dir.front() != '/') {
    auto from_passwd = home_from_passwd();
    if (!from_passwd) return from_passwd.take_error();
    home_dir = std::move(from_passwd).value();
  }
  return DataDir(std::filesystem::path(home_dir) / ".local" / "share" / "benchtop");
}

Result<DataDir> DataDir::default_location() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  return from_environment(xdg ? xdg : "", home ? home : "");
}

Status DataDir::create() const {
  // The parents (~/.local/share) are ordinary directories; only ours is made owner-only.
  std::error_code ec;
  if (root_.has_parent_path()) std::filesystem::create_directories(root_.parent_path(), ec);
  if (ec) {
    return Error::make("Cannot create " + root_.parent_path().string() + ": " + ec.message(),
                       "io_error");
  }
  if (auto status = make_private_dir(root_); !status) return status;
  return make_private_dir(workspaces_dir());
}

}  // namespace benchtop
