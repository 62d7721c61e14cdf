// The vocabulary shared by every container backend and the container manager: what a project's
// container is made of (its spec), its limits, its lifecycle state and what a backend reports.
#pragma once

#include <boost/describe/enum.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop {

// Limits of one project's container. Zero means "no limit" for that resource.
struct ContainerLimits {
  int64_t memory_bytes = 1024LL * 1024 * 1024;  // 1 GiB
  int64_t pids = 256;
  int64_t cpu_millis = 1000;  // 1000 = one CPU
};

enum class ContainerState { kCreating, kRunning, kSuspended, kStopped, kError };
BOOST_DESCRIBE_ENUM(ContainerState, kCreating, kRunning, kSuspended, kStopped, kError)

std::string_view to_string(ContainerState state);
std::optional<ContainerState> container_state_from(std::string_view text);

// Everything a backend needs to run a project's processes.
struct ContainerSpec {
  std::string project_id;  // names the cgroup and the container; stable across renames
  std::string project_name;
  std::filesystem::path workspace;  // host directory, mounted read-write at /workspace
  ContainerLimits limits;
  bool network = false;  // false: own network namespace with only `lo`
};

// What is measured right now; absent values could not be read on this host.
struct ContainerUsage {
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> pids;
  std::optional<int64_t> cpu_usec;
  std::optional<int64_t> disk_bytes;  // written to the workspace, where its disk is capped
};

struct BackendStatus {
  bool exists = false;  // ensure() has run and the container has not been destroyed
  bool frozen = false;
  // Which limits the kernel enforces for this container, e.g. {"memory", "pids", "cpu"}; a limit
  // that is not listed is not enforced, whatever was configured.
  std::vector<std::string> enforced;
  std::vector<std::string> notes;  // why a limit is not enforced, isolation caveats
  ContainerUsage usage;
  // TCP ports something in the container listens on (loopback or any address), sorted.
  std::vector<int> listening_ports;
};

// A background process of a project's container (process_start): its merged output is kept by
// whoever runs it, readable by offset.
struct BackgroundProcessInfo {
  std::string id;
  std::string project_id;
  std::string command;
  int pid = 0;  // as the backend sees it (inside the sandbox for supervised backends)
  bool running = true;
  std::optional<int> exit_code;
  std::optional<int> signal;
  uint64_t output_bytes = 0;  // produced so far (the ring keeps the most recent ones)
  std::chrono::system_clock::time_point started;
};

}  // namespace benchtop
