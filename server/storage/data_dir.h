// Where benchtop keeps its state: the database and the workspaces of managed projects.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"

namespace benchtop {

class DataDir {
 public:
  explicit DataDir(std::filesystem::path root) : root_(std::move(root)) {}

  // $XDG_DATA_HOME/benchtop, or ~/.local/share/benchtop (HOME, else the password database).
  static Result<DataDir> default_location();
  // The same rule with the environment passed in, so it can be tested without touching the
  // process environment. An empty or relative XDG_DATA_HOME is ignored, as the XDG spec says.
  static Result<DataDir> from_environment(std::string_view xdg_data_home, std::string_view home);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path database_file() const { return root_ / "benchtop.db"; }
  std::filesystem::path workspaces_dir() const { return root_ / "workspaces"; }
  // The file-system images that cap each managed workspace's disk space
  // (server/sandbox/workspace_disk.h).
  std::filesystem::path disks_dir() const { return root_ / "disks"; }

  // Creates the root and workspaces/ (owner-only: workspaces may hold private code).
  Status create() const;

 private:
  std::filesystem::path root_;
};

}  // namespace benchtop
