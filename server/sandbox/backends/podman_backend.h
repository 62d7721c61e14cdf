// An optional backend for users who have podman: one long-lived container per project
// (`benchtop-<project id>`, running `sleep infinity`) made from an image or a root filesystem
// directory, with podman's own memory/pids/CPU limits, no network unless allowed, the workspace at
// /workspace, and commands run with `podman exec`. Suspend and resume are `podman pause/unpause`.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/sandbox/background_process.h"
#include "server/sandbox/container_backend.h"

namespace benchtop {

struct PodmanOptions {
  std::filesystem::path podman = "/usr/bin/podman";
  // An image name, or an absolute path to a root filesystem directory (--rootfs).
  std::string image;
  // runc, because crun refuses hybrid cgroup hosts.
  std::string runtime = "runc";
};

class PodmanBackend : public ContainerBackend {
 public:
  explicit PodmanBackend(PodmanOptions options) : options_(std::move(options)) {}

  // Whether podman is installed and an image or rootfs is configured; the error says what is
  // missing.
  static Status available(const PodmanOptions& options);

  std::string name() const override { return "podman"; }
  Status ensure(const ContainerSpec& spec) override;
  BackendStatus status(const ContainerSpec& spec) override;
  Result<std::unique_ptr<RunningCommand>> exec(const ContainerSpec& spec,
                                               const ProcessLaunch& launch) override;
  // Background processes are `podman exec` sessions of this server, kept in its memory.
  Result<BackgroundProcessInfo> start_process(const ContainerSpec& spec,
                                              const ProcessLaunch& launch) override;
  Result<std::vector<BackgroundProcessInfo>> list_processes(const ContainerSpec& spec) override;
  Result<ProcessOutput> read_process(const ContainerSpec& spec, const std::string& id,
                                     std::optional<uint64_t> since, std::optional<uint64_t> tail,
                                     uint64_t max) override;
  Status write_process(const ContainerSpec& spec, const std::string& id,
                       std::string_view input) override;
  Result<BackgroundProcessInfo> signal_process(const ContainerSpec& spec, const std::string& id,
                                               int signal) override;
  Status suspend(const ContainerSpec& spec) override;
  Status resume(const ContainerSpec& spec) override;
  Status destroy(const ContainerSpec& spec) override;
  Result<bool> adopt(const ContainerSpec& spec) override;
  bool exit_codes_carry_signals() const override { return true; }

  // `podman run` arguments for `spec` (exposed for tests).
  std::vector<std::string> run_argv(const ContainerSpec& spec) const;
  static std::string container_name(const ContainerSpec& spec);

 private:
  // Runs podman with `args` to completion; its stdout, or an error with its stderr.
  Result<std::string> podman(std::vector<std::string> args) const;

  Result<SpawnedProcess> spawn(const ContainerSpec& spec, const ProcessLaunch& launch);
  Result<std::shared_ptr<BackgroundProcess>> find(const ContainerSpec& spec, const std::string& id);

  PodmanOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::shared_ptr<BackgroundProcess>>> processes_;
  std::map<std::string, uint64_t> next_process_;  // by project
};

}  // namespace benchtop
