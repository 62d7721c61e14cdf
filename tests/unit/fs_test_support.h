// Helpers for tests that need a real directory tree: a temporary directory removed on scope exit,
// small file helpers, and a WorkspaceProvider over one temporary workspace.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "server/workspace.h"
#include "server/workspace_provider.h"

namespace benchtop::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "benchtop-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = std::filesystem::canonical(pattern);
  }
  ~TempDir() {
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

inline bool exists_no_follow(const std::filesystem::path& path) {
  return std::filesystem::exists(std::filesystem::symlink_status(path));
}

// A workspace root and, beside it, a directory that stands for "outside" in escape tests.
class WorkspaceFixtureDirs {
 public:
  WorkspaceFixtureDirs() {
    std::filesystem::create_directory(base_.path() / "ws");
    std::filesystem::create_directory(base_.path() / "outside");
  }
  std::filesystem::path root() const { return base_.path() / "ws"; }
  std::filesystem::path outside() const { return base_.path() / "outside"; }
  const std::filesystem::path& base() const { return base_.path(); }

 private:
  TempDir base_;
};

// Serves one workspace as the default project, also under the name "demo".
class SingleWorkspaceProvider : public WorkspaceProvider {
 public:
  explicit SingleWorkspaceProvider(const std::filesystem::path& root) {
    auto opened = Workspace::open(root);
    if (!opened) throw std::runtime_error(opened.error().message);
    workspace_ = std::move(opened).value();
  }
  Result<std::shared_ptr<const Workspace>> workspace(
      const std::optional<std::string>& project) override {
    if (project && *project != "demo") {
      return Error::make("No project named '" + *project + "'; call project_list", "not_found");
    }
    return std::shared_ptr<const Workspace>(workspace_);
  }

 private:
  std::shared_ptr<Workspace> workspace_;
};

}  // namespace benchtop::testing
