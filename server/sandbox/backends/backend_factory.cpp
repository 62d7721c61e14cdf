#include "server/sandbox/backends/backend_factory.h"

#include <unistd.h>

#include "common/log.h"
#include "server/sandbox/backends/bwrap_backend.h"
#include "server/sandbox/backends/podman_backend.h"

namespace benchtop {

Result<std::unique_ptr<ContainerBackend>> make_container_backend(
    const std::string& kind, bool allow_unsandboxed, const std::string& cgroup_parent,
    const std::string& podman_image, BwrapOptions bwrap, bool allow_network,
    SupervisedOptions supervised) {
  const CgroupHost host = CgroupHost::detect();
  log::info("cgroups: " + host.describe());
  if (kind == "bwrap") {
    // Only a cheap check here: the full probe starts a sandbox, which would add its cost to
    // every server start; the backend runs it on first use and reports failures then.
    if (::access(bwrap.bwrap.c_str(), X_OK) != 0) {
      log::warning(bwrap.bwrap.string() +
                   " not found: shell_exec and process_* will fail until bubblewrap is "
                   "installed (scripts/setup.sh installs it)");
    }
    if (allow_network) {
      // The nftables guard is for the identity pasta runs as: the sandbox's own host uid.
      bwrap.network = SandboxNetwork::prepare({}, bwrap.host_uid, bwrap.host_gid);
      if (bwrap.network->available()) {
        log::warning(
            "--allow-sandbox-network: projects whose user agrees get network access "
            "(user-mode networking; the host's own addresses stay unreachable)");
      } else {
        log::warning("--allow-sandbox-network: " + bwrap.network->describe());
      }
    }
    return std::unique_ptr<ContainerBackend>(
        std::make_unique<BwrapBackend>(host, cgroup_parent, std::move(bwrap), supervised));
  }
  if (kind == "none") {
    if (!allow_unsandboxed) {
      return Error::make(
          "--sandbox none runs every command on the host without isolation; add "
          "--allow-unsandboxed to confirm you want that");
    }
    log::warning(
        "!!! --sandbox none: shell_exec and process_* run commands DIRECTLY ON THIS HOST "
        "as this user, with its files and network. Only per-project cgroup limits "
        "apply. Never expose this server to untrusted clients. !!!");
    return std::unique_ptr<ContainerBackend>(
        std::make_unique<NoneBackend>(host, cgroup_parent, supervised));
  }
  if (kind == "podman") {
    PodmanOptions podman;
    podman.image = podman_image;
    if (auto usable = PodmanBackend::available(podman); !usable) return usable.take_error();
    return std::unique_ptr<ContainerBackend>(std::make_unique<PodmanBackend>(podman));
  }
  return Error::make("--sandbox must be bwrap, podman or none (got '" + kind + "')");
}

}  // namespace benchtop
