// How a project's dev container is made. The container manager depends only on this interface;
// bubblewrap (the default), `none` (no isolation, explicit opt-in) and podman implement it, and a
// remote backend (kubernetes) fits it too: exec() hands back a local process whose pipes carry the
// remote command's I/O (as `kubectl exec` would).
#pragma once

#include <map>
#include <string>

#include "common/result.h"
#include "server/process/spawned_process.h"
#include "server/sandbox/container_types.h"

namespace benchtop {

// One command to start in a container.
struct ProcessLaunch {
  std::string command;  // run as `/bin/sh -c command`
  std::string cwd;      // relative to the workspace ("" = its root); already checked
  std::map<std::string, std::string> env;
  bool merge_stderr = false;
};

class ContainerBackend {
 public:
  virtual ~ContainerBackend() = default;

  virtual std::string name() const = 0;
  // Creates the container or updates its limits; idempotent.
  virtual Status ensure(const ContainerSpec& spec) = 0;
  virtual BackendStatus status(const ContainerSpec& spec) = 0;
  // Starts `launch` inside the (ensured, running) container. Killing the returned process with
  // SIGKILL must end every process it started, setsid ones included.
  virtual Result<SpawnedProcess> exec(const ContainerSpec& spec, const ProcessLaunch& launch) = 0;
  virtual Status suspend(const ContainerSpec& spec) = 0;
  virtual Status resume(const ContainerSpec& spec) = 0;
  // Kills every process of the container and removes it.
  virtual Status destroy(const ContainerSpec& spec) = 0;
  // After a server restart: kills whatever an earlier run left in this container.
  virtual Status kill_leftovers(const ContainerSpec& spec) = 0;
  // True when the backend reports a command killed by signal N as exit code 128+N (bubblewrap
  // does), so the caller can show the signal instead.
  virtual bool exit_codes_carry_signals() const { return false; }
};

}  // namespace benchtop
