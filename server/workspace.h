// The workspace guard: the one way any tool reaches a file. Every path is resolved by the kernel
// beneath the workspace root's directory fd with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS),
// so "..", absolute paths, symlinks leading out and a component swapped during the call cannot
// escape. Never build a host path string from user input and open that instead.
#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop {

class Workspace {
 public:
  // Opens an existing directory as a workspace root.
  static Result<std::shared_ptr<Workspace>> open(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  int root_fd() const { return root_fd_.get(); }

  // Turns a caller's path (relative to the root, or absolute and under root()) into a normalised
  // relative path: no leading "/", no "." components, no empty components; "" means the root.
  // Rejects NUL bytes and absolute paths outside the root. ".." is kept for the kernel to judge
  // (it is refused only if it climbs out).
  Result<std::string> relative_path(std::string_view user_path) const;

  // openat2 beneath the root. `relative` is a relative_path() result ("" opens the root itself).
  Result<UniqueFd> open_at(std::string_view relative, int flags, mode_t mode = 0) const;
  Result<UniqueFd> open_directory(std::string_view relative) const;

  // Opens the directory that contains `relative` and returns it with the final component, so the
  // caller can create, rename or unlink that entry without following it. Refuses the root itself.
  Result<std::pair<UniqueFd, std::string>> open_parent(std::string_view relative,
                                                       bool create_missing = false) const;

 private:
  Workspace(std::filesystem::path root, UniqueFd root_fd)
      : root_(std::move(root)), root_fd_(std::move(root_fd)) {}

  std::filesystem::path root_;
  UniqueFd root_fd_;
};

}  // namespace benchtop
