// Filesystem operations on directory fds that never follow symlinks, for code that must not be
// steered outside a tree by a link planted inside it.
#pragma once

#include <string>

#include "common/result.h"

namespace benchtop {

// Removes `name` inside the directory `parent_fd`: a file or symlink is unlinked (a symlink's
// target is never touched); a directory is emptied recursively, descending only through
// O_NOFOLLOW directory fds, then removed.
Status remove_tree_at(int parent_fd, const std::string& name);

}  // namespace benchtop
