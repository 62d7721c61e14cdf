// The host system as every bubblewrap sandbox sees it: /usr read-only, and /bin, /sbin, /lib...
// as they are on the host (symlinks into /usr on merged-/usr hosts, read-only directories on
// older layouts).
#pragma once

#include <string>
#include <vector>

namespace benchtop {

// bwrap options that bind them.
std::vector<std::string> bwrap_host_system_args();

}  // namespace benchtop
