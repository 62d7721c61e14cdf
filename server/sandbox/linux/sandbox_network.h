// Network access for a sandbox whose project the operator allowed it: the sandbox keeps its own
// network namespace and reaches the outside through user-mode networking (pasta, from Debian's
// passt), the way rootless podman does, never by sharing the host's namespace.
//
// pasta's outbound sockets are opened on the host by the pasta process, so two things keep a
// sandbox away from the host itself:
// - pasta runs with no port forwarding in either direction and without mapping the gateway
//   address to the host's loopback (--no-map-gw);
// - pasta runs as the sandbox's unprivileged host identity (as root, the spawned child drops to
//   it before exec, see host_identity.h), and an nftables rule in benchtop's
//   own table refuses every connection that identity opens to an address local to the host
//   (127.0.0.0/8, ::1 and every address of the host's interfaces): `meta skuid fib daddr type
//   local reject`. Installing it needs root; without it network stays off (fail closed).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace benchtop {

struct SandboxNetworkOptions {
  std::filesystem::path pasta = "/usr/bin/pasta";
  std::filesystem::path nft = "/usr/sbin/nft";
  // Extra pasta options, e.g. {"-a", ADDR, "-n", BITS, "-g", GATEWAY} to give the sandbox its
  // own address and gateway instead of copies of the host's.
  std::vector<std::string> pasta_args;
};

class SandboxNetwork {
 public:
  // Checks that pasta is installed and installs the host-address guard for `uid`. The result is
  // always usable: when something is missing it is unavailable and says why.
  static std::shared_ptr<const SandboxNetwork> prepare(SandboxNetworkOptions options, uid_t uid,
                                                       gid_t gid);

  bool available() const { return unavailable_reason_.empty(); }
  const std::string& unavailable_reason() const { return unavailable_reason_; }

  // `sandbox_argv` (a bubblewrap command line that shares its parent's network namespace) run
  // inside a fresh network namespace served by pasta. The caller starts it as the sandbox's
  // host identity: pasta passes its open descriptors (bwrap's --args and --seccomp memfds) on.
  std::vector<std::string> wrap(std::vector<std::string> sandbox_argv) const;

  // One line for devcontainer_status.
  std::string describe() const;

 private:
  SandboxNetwork(SandboxNetworkOptions options, uid_t uid, gid_t gid, std::string unavailable);

  SandboxNetworkOptions options_;
  uid_t uid_;
  gid_t gid_;
  std::string unavailable_reason_;
};

// The nftables script that adds `uid` to the identities refused any connection to a host-local
// address. Idempotent and atomic (one `nft -f` transaction); other benchtop servers on the host
// share the table, so it is never removed on exit (`nft delete table inet benchtop` removes it).
std::string local_address_guard_script(uid_t uid);
Status install_local_address_guard(const std::filesystem::path& nft, uid_t uid);

}  // namespace benchtop
