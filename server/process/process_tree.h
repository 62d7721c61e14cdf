// A process and all its descendants, found through /proc. Used to signal a command's whole tree
// (process_kill) and, on timeout and cancellation, to kill every process of the tree directly in
// addition to bubblewrap, so nothing depends on one mechanism alone.
#pragma once

#include <vector>

namespace benchtop {

// `root` followed by its descendants, parents before children.
std::vector<int> process_tree(int root);

// Sends `signal` to every process of the tree; with `skip_bwrap`, not to bubblewrap's own
// processes (they do not forward signals, and killing them would turn a TERM into a KILL).
void signal_tree(int root, int signal, bool skip_bwrap);

}  // namespace benchtop
