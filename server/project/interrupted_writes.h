// The clean-up of writes a crash or `kill -9` interrupted, run on a workspace's first use.
#pragma once

#include <cstddef>

namespace benchtop {

class Workspace;

// Removes the temporary files that writes interrupted by a crash or `kill -9` left in the
// workspace: regular files named as above, not locked by a live writer, and older than a few
// seconds (a writer locks its file right after creating it). Nothing else is touched; symlinks
// are never followed. Returns how many were removed.
size_t remove_abandoned_temp_files(const Workspace& workspace);

}  // namespace benchtop
