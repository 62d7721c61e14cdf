// Chooses the container backend from the server's settings, checking that it can work here.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "server/sandbox/backends/bwrap_backend.h"
#include "server/sandbox/container_backend.h"

namespace benchtop {

// `kind`: "bwrap" (default), "podman" or "none". "none" is refused unless `allow_unsandboxed`,
// and logs a loud warning when accepted. `cgroup_parent` names the group under which every
// project's cgroup is made. `podman_image` (an image, or an absolute rootfs directory) is used by
// the podman backend only. `bwrap` configures the bwrap backend (e.g. its host_uid/host_gid).
// `allow_network` (--allow-sandbox-network) prepares user-mode networking for the projects
// allowed it, running as bwrap.host_uid; without it no sandbox gets any network.
Result<std::unique_ptr<ContainerBackend>> make_container_backend(
    const std::string& kind, bool allow_unsandboxed, const std::string& cgroup_parent,
    const std::string& podman_image = {}, BwrapOptions bwrap = {}, bool allow_network = false,
    SupervisedOptions supervised = {});

}  // namespace benchtop
