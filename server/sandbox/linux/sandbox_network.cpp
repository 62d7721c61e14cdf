#include "server/sandbox/linux/sandbox_network.h"

#include <unistd.h>

#include "server/process/host_program.h"

namespace benchtop {

SandboxNetwork::SandboxNetwork(SandboxNetworkOptions options, uid_t uid, gid_t gid,
                               std::string unavailable)
    : options_(std::move(options)),
      uid_(uid),
      gid_(gid),
      unavailable_reason_(std::move(unavailable)) {}

std::shared_ptr<const SandboxNetwork> SandboxNetwork::prepare(SandboxNetworkOptions options,
                                                              uid_t uid, gid_t gid) {
  auto make = [&](std::string unavailable) {
    return std::shared_ptr<const SandboxNetwork>(
        new SandboxNetwork(std::move(options), uid, gid, std::move(unavailable)));
  };
  if (::access(options.pasta.c_str(), X_OK) != 0) {
    return make(options.pasta.string() +
                " not found: install Debian's passt package (scripts/setup.sh does)");
  }
  if (::geteuid() != 0) {
    return make(
        "benchtop is not running as root, so it cannot install the nftables rule that keeps a "
        "networked sandbox away from the host's own addresses (its loopback and local services); "
        "network stays off");
  }
  if (auto guard = install_local_address_guard(options.nft, uid); !guard) {
    return make(
        "the nftables rule that keeps a networked sandbox away from the host's own "
        "addresses could not be installed (" +
        guard.error().message + "); network stays off");
  }
  return make("");
}

std::vector<std::string> SandboxNetwork::wrap(std::vector<std::string> sandbox_argv) const {
  // pasta opens its outbound sockets as whoever runs it: the sandbox's unprivileged host
  // identity (BwrapBackend's spawn drops to it before exec when benchtop is root), which the
  // nftables guard refuses every host-local destination.
  std::vector<std::string> argv = {
      options_.pasta.string(), "--config-net", "--quiet",
      // The gateway address is the outside's gateway, not the host.
      "--no-map-gw",
      // No port forwarding in either direction: nothing on the host
      // reaches into the sandbox, and the sandbox reaches no host port.
      "-t", "none", "-u", "none", "-T", "none", "-U", "none"};
  argv.insert(argv.end(), options_.pasta_args.begin(), options_.pasta_args.end());
  argv.push_back("--");
  argv.insert(argv.end(), std::make_move_iterator(sandbox_argv.begin()),
              std::make_move_iterator(sandbox_argv.end()));
  return argv;
}

std::string SandboxNetwork::describe() const {
  if (!available()) return "network unavailable: " + unavailable_reason_;
  return "network: own namespace with user-mode networking (pasta, as host uid " +
         std::to_string(uid_) + " gid " + std::to_string(gid_) +
         "): no port forwarding, no gateway mapping, and every connection to an address of the "
         "host itself (loopback included) refused by the nftables table inet benchtop";
}

std::string local_address_guard_script(uid_t uid) {
  // `flush chain` + `add rule` in one transaction keeps exactly one copy of the rule, with no
  // moment without it. `reject` answers at once (connection refused) instead of a timeout.
  return "add table inet benchtop\n"
         "add set inet benchtop sandbox_uids { type uid; }\n"
         "add chain inet benchtop output { type filter hook output priority 0; policy accept; }\n"
         "flush chain inet benchtop output\n"
         "add rule inet benchtop output meta skuid @sandbox_uids fib daddr type local reject\n"
         "add element inet benchtop sandbox_uids { " +
         std::to_string(uid) + " }\n";
}

Status install_local_address_guard(const std::filesystem::path& nft, uid_t uid) {
  if (::access(nft.c_str(), X_OK) != 0) {
    return Error::make(nft.string() + " not found: install Debian's nftables package",
                       "unavailable");
  }
  auto applied = run_host_program({nft.string(), "-f", "-"}, std::chrono::seconds(30),
                                  local_address_guard_script(uid));
  if (!applied) return applied.take_error();
  return {};
}

}  // namespace benchtop
