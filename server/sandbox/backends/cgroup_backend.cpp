#include "server/sandbox/backends/cgroup_backend.h"

#include <filesystem>

namespace benchtop {

CgroupBackend::CgroupBackend(CgroupHost host, std::string cgroup_parent)
    : host_(std::move(host)), parent_(std::move(cgroup_parent)) {}

Status CgroupBackend::ensure(const ContainerSpec& spec) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(spec.project_id);
  if (it == groups_.end()) {
    groups_.emplace(spec.project_id,
                    ProjectCgroup::open(host_, parent_, spec.project_id, spec.limits));
  } else {
    it->second.apply_limits(spec.limits);
  }
  return {};
}

BackendStatus CgroupBackend::status(const ContainerSpec& spec) {
  BackendStatus status;
  {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(spec.project_id);
    if (it != groups_.end()) {
      status.exists = true;
      status.frozen = it->second.frozen();
      status.enforced = it->second.enforced();
      status.notes = it->second.notes();
      status.usage = it->second.usage();
    }
  }
  for (auto& note : isolation_notes(spec)) status.notes.push_back(std::move(note));
  status.notes.push_back("cgroups: " + host_.describe());
  return status;
}

Result<SpawnedProcess> CgroupBackend::exec(const ContainerSpec& spec, const ProcessLaunch& launch) {
  auto command = command_for(spec, launch);
  if (!command) return command.take_error();
  std::vector<UniqueFd> join;
  {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(spec.project_id);
    if (it == groups_.end()) return Error::make("the container is not running; ensure it first");
    join = it->second.join_fds();
  }
  SpawnOptions options = spawn_options(*command, launch.merge_stderr);
  for (const auto& fd : join) options.cgroup_procs_fds.push_back(fd.get());
  return SpawnedProcess::spawn(options);
}

SpawnOptions CgroupBackend::spawn_options(Command& command, bool merge_stderr) {
  SpawnOptions options;
  options.argv = command.argv;
  options.env = command.env;
  options.cwd = command.cwd;
  options.merge_stderr = merge_stderr;
  for (const auto& fd : command.pass_fds) options.keep_fds.push_back(fd.get());
  options.before_exec = command.before_exec;
  return options;
}

Status CgroupBackend::suspend(const ContainerSpec& spec) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(spec.project_id);
  if (it == groups_.end()) return Error::make("the container is not running", "not_running");
  return it->second.freeze(true);
}

Status CgroupBackend::resume(const ContainerSpec& spec) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(spec.project_id);
  if (it == groups_.end()) return Error::make("the container is not running", "not_running");
  return it->second.freeze(false);
}

Status CgroupBackend::destroy(const ContainerSpec& spec) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(spec.project_id);
  if (it != groups_.end()) {
    it->second.remove();
    groups_.erase(it);
  } else {
    ProjectCgroup::existing(host_, parent_, spec.project_id).remove();
  }
  return {};
}

Status CgroupBackend::kill_leftovers(const ContainerSpec& spec) {
  std::lock_guard lock(mutex_);
  groups_.erase(spec.project_id);
  ProjectCgroup::existing(host_, parent_, spec.project_id).remove();
  return {};
}

std::map<std::string, std::string> base_environment(const std::string& home) {
  return {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
          {"HOME", home},
          {"LANG", "C.UTF-8"},
          {"TERM", "dumb"},
          {"USER", "dev"}};
}

Result<std::string> normal_relative_cwd(const std::string& cwd) {
  const std::filesystem::path path(cwd);
  if (path.is_absolute()) {
    return Error::make("cwd must be relative to the workspace root, e.g. 'src'", "invalid_path");
  }
  std::string normal;
  for (const auto& part : path) {
    const std::string text = part.string();
    if (text.empty() || text == ".") continue;
    if (text == "..") {
      return Error::make("cwd may not contain '..': it must stay inside the workspace",
                         "invalid_path");
    }
    if (!normal.empty()) normal += '/';
    normal += text;
  }
  return normal;
}

}  // namespace benchtop
