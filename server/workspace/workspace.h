// The workspace guard: the one way any tool reaches a file. Every path is resolved by the kernel
// beneath the workspace root's directory fd with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS),
// so "..", absolute paths, symlinks leading out and a component swapped during the call cannot
// escape. Never build a host path string from user input and open that instead.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop {

// Turns an errno from a path operation into an Error with a stable code ("not_found", "exists",
// "outside_workspace", "not_directory", "is_directory", "permission_denied", "busy",
// "invalid_path", "no_space", "io_error").
// `shown` is the workspace-relative path as the caller wrote it ("" shows as ".").
Error path_error(std::string_view shown, int err);

class Workspace {
 public:
  // Opens an existing directory as a workspace root.
  static Result<std::shared_ptr<Workspace>> open(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  int root_fd() const { return root_fd_.get(); }

  // Turns a caller's path (relative to the root, or absolute and under root()) into a normalised
  // relative path: no leading "/", no "." components, no empty components; "" means the root.
  // Escapes as in results are undone first ("\x0a" is a newline, "\\" a backslash; see
  // path_escape.h), so a name from a listing can be passed back. Rejects NUL bytes and absolute
  // paths outside the root. An absolute path is compared with the
  // root component by component (so /tmp/ab is not inside /tmp/a); the root as given to open() is
  // accepted as well as its canonical form. ".." is kept for the kernel to judge (it is refused
  // only if it climbs out).
  Result<std::string> relative_path(std::string_view escaped_path) const;

  // openat2 beneath the root. `relative` is a relative_path() result ("" opens the root itself).
  // Symlinks (the final one too, unless O_NOFOLLOW) are followed only while they stay beneath the
  // root; an absolute symlink is refused even when it names a place inside, and magic links
  // (/proc/*/fd) never resolve. A lookup the kernel aborts because of a concurrent rename is
  // retried a bounded number of times before failing with code "busy".
  // An open for I/O (neither O_PATH nor O_DIRECTORY) succeeds only on a regular file: a FIFO,
  // socket or device fails with code "not_regular" and a directory with "is_directory", without
  // ever blocking (see regular_file.h). The fd is in blocking mode unless O_NONBLOCK was asked for.
  Result<UniqueFd> open_at(std::string_view relative, int flags, mode_t mode = 0) const;
  Result<UniqueFd> open_directory(std::string_view relative) const;

  // Opens the directory that contains `relative` and returns it (an O_PATH fd) with the final
  // component, so the caller can create, rename or unlink that entry without following it.
  // Refuses the root itself and a final "..". With `create_missing`, missing directories on the
  // way are created (0755 before umask); each one is re-resolved beneath the root after creation.
  Result<std::pair<UniqueFd, std::string>> open_parent(std::string_view relative,
                                                       bool create_missing = false) const;

  // stat() beneath the root. With follow_final_symlink=false this is lstat: a symlink as the final
  // component is described, not followed (symlinks on the way are followed, inside the root only).
  Result<struct stat> stat_at(std::string_view relative, bool follow_final_symlink = false) const;

  // The target text of the symlink `relative` (not resolved; it may point anywhere).
  Result<std::string> read_link(std::string_view relative) const;

  // Where a symlink's target lands, judged by the kernel with the same rules as every open.
  enum class LinkTarget { kInside, kOutside, kDangling };
  LinkTarget classify_link(std::string_view relative) const;

 private:
  Workspace(std::filesystem::path root, std::filesystem::path alias, UniqueFd root_fd)
      : root_(std::move(root)), alias_(std::move(alias)), root_fd_(std::move(root_fd)) {}

  std::filesystem::path root_;   // canonical
  std::filesystem::path alias_;  // the root as given (lexically normal); may equal root_
  UniqueFd root_fd_;
};

}  // namespace benchtop
