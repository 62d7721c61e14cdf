#include "server/sandbox/linux/bwrap_system.h"

#include <filesystem>

namespace benchtop {
namespace fs = std::filesystem;

std::vector<std::string> bwrap_host_system_args() {
  std::vector<std::string> argv = {"--ro-bind", "/usr", "/usr"};
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    const auto status = fs::symlink_status(top, ec);
    if (ec) continue;
    if (fs::is_symlink(status)) {
      argv.insert(argv.end(), {"--symlink", fs::read_symlink(top, ec).string(), top});
    } else if (fs::is_directory(status)) {
      argv.insert(argv.end(), {"--ro-bind", top, top});
    }
  }
  return argv;
}

}  // namespace benchtop
