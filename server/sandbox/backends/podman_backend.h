// An optional backend for users who have podman: one long-lived container per project
// (`benchtop-<project id>`, running `sleep infinity`) made from an image or a root filesystem
// directory, with podman's own memory/pids/CPU limits, no network unless allowed, the workspace at
// /workspace, and commands run with `podman exec`. Suspend and resume are `podman pause/unpause`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

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
  Result<SpawnedProcess> exec(const ContainerSpec& spec, const ProcessLaunch& launch) override;
  Status suspend(const ContainerSpec& spec) override;
  Status resume(const ContainerSpec& spec) override;
  Status destroy(const ContainerSpec& spec) override;
  Status kill_leftovers(const ContainerSpec& spec) override;
  bool exit_codes_carry_signals() const override { return true; }

  // `podman run` arguments for `spec` (exposed for tests).
  std::vector<std::string> run_argv(const ContainerSpec& spec) const;
  static std::string container_name(const ContainerSpec& spec);

 private:
  // Runs podman with `args` to completion; its stdout, or an error with its stderr.
  Result<std::string> podman(std::vector<std::string> args) const;

  PodmanOptions options_;
};

}  // namespace benchtop
