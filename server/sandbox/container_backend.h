// How a project's dev container is made. The container manager depends only on this interface;
// bubblewrap (the default), `none` (no isolation, explicit opt-in) and podman implement it. A
// container is long-lived: it is made once and every command of the project runs in it. exec()
// hands back a command handle (pipes, exit, kill) rather than a local pid, and background
// processes are kept by the container's side, so a remote backend fits the same seam.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "server/process/running_command.h"
#include "server/sandbox/container_types.h"

namespace benchtop {

// One command to start in a container.
struct ProcessLaunch {
  std::string command;  // run as `/bin/sh -c command`
  std::string cwd;      // relative to the workspace ("" = its root); already checked
  std::map<std::string, std::string> env;
  bool merge_stderr = false;
};

// Bytes of a background process's output, by offset (every byte it ever wrote is counted).
struct ProcessOutput {
  BackgroundProcessInfo process;
  std::string data;
  uint64_t start = 0;    // offset of data's first byte
  uint64_t next = 0;     // offset after its last byte: pass as `since` to read on
  uint64_t dropped = 0;  // bytes between the offset asked for and `start` that are gone
};

class ContainerBackend {
 public:
  virtual ~ContainerBackend() = default;

  virtual std::string name() const = 0;
  // Creates the container or updates its limits; idempotent.
  virtual Status ensure(const ContainerSpec& spec) = 0;
  virtual BackendStatus status(const ContainerSpec& spec) = 0;
  // Starts `launch` inside the (ensured, running) container. kill_tree() on the handle ends every
  // process it started, setsid ones included, and nothing else of the container.
  virtual Result<std::unique_ptr<RunningCommand>> exec(const ContainerSpec& spec,
                                                       const ProcessLaunch& launch) = 0;

  // Background processes (process_*), kept with the container: ids are the container's own.
  virtual Result<BackgroundProcessInfo> start_process(const ContainerSpec& spec,
                                                      const ProcessLaunch& launch) = 0;
  virtual Result<std::vector<BackgroundProcessInfo>> list_processes(const ContainerSpec& spec) = 0;
  // `since`, `tail`: see process_read; at most `max` bytes.
  virtual Result<ProcessOutput> read_process(const ContainerSpec& spec, const std::string& id,
                                             std::optional<uint64_t> since,
                                             std::optional<uint64_t> tail, uint64_t max) = 0;
  virtual Status write_process(const ContainerSpec& spec, const std::string& id,
                               std::string_view input) = 0;
  // SIGKILL ends the process's whole tree; other signals reach its processes, not the sandbox's.
  virtual Result<BackgroundProcessInfo> signal_process(const ContainerSpec& spec,
                                                       const std::string& id, int signal) = 0;
  virtual Status suspend(const ContainerSpec& spec) = 0;
  virtual Status resume(const ContainerSpec& spec) = 0;
  // Kills every process of the container and removes it.
  virtual Status destroy(const ContainerSpec& spec) = 0;
  // A TCP connection to `port` on the container's own loopback, made inside its network
  // namespace (what a preview of a dev server proxies through). Error code "unsupported" where
  // the backend cannot.
  virtual Result<UniqueFd> connect_port(const ContainerSpec&, int) {
    return Error::make("this container backend cannot connect to its ports", "unsupported");
  }
  // The TCP ports processes in the container listen on, or nullopt when it is not running (or is
  // suspended). Asking starts nothing, thaws nothing and is not activity against idle suspend: a
  // preview watch asks every second.
  virtual std::optional<std::vector<int>> listening_ports(const ContainerSpec&) {
    return std::nullopt;
  }
  // Whether the container had commands or requests within `idle_for`, from whichever server:
  // idle suspension asks before freezing what another benchtop may be using.
  virtual bool in_use(const ContainerSpec&, std::chrono::milliseconds) { return false; }
  // After destroy(), for a project being deleted: removes what the container kept between
  // sandboxes (its home directory).
  virtual Status remove_state(const ContainerSpec&) { return {}; }
  // At start-up, for a container the store says exists: true when it is alive (made by an
  // earlier run or by another benchtop on the same data directory) and now used as it is;
  // otherwise whatever is left of it is cleaned up and false returned. Never kills a live one.
  virtual Result<bool> adopt(const ContainerSpec& spec) = 0;
  // True when the backend reports a command killed by signal N as exit code 128+N (bubblewrap
  // does), so the caller can show the signal instead.
  virtual bool exit_codes_carry_signals() const { return false; }
};

}  // namespace benchtop
