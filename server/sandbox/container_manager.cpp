#include "server/sandbox/container_manager.h"

#include <signal.h>

#include <algorithm>

#include "common/log.h"
#include "server/process/exec_loop.h"

namespace benchtop {

ContainerManager::ContainerManager(ContainerRepository& repository,
                                   std::unique_ptr<ContainerBackend> backend,
                                   ProjectResolver resolver, ContainerManagerOptions options)
    : store_(repository),
      backend_(std::move(backend)),
      backend_name_(backend_->name()),
      resolver_(std::move(resolver)),
      options_(options),
      exec_enabled_(options.exec_enabled) {
  if (options_.idle_suspend.count() > 0) idle_thread_ = std::thread([this] { idle_loop(); });
}

ContainerManager::~ContainerManager() {
  {
    std::lock_guard lock(idle_mutex_);
    stopping_ = true;
  }
  idle_cv_.notify_all();
  if (idle_thread_.joinable()) idle_thread_.join();
  // Containers are left running: they outlive this server (another benchtop may be using them,
  // and the next start adopts them).
}

std::string ContainerManager::disabled_message() {
  return "Command execution is disabled on this server (the administrator's kill switch is on): "
         "shell_exec and process_* will refuse until it is lifted. Do not retry; work with the "
         "file tools or ask the user.";
}

void ContainerManager::set_exec_enabled(bool enabled) {
  const bool was = exec_enabled_.exchange(enabled);
  if (was != enabled && exec_listener_) exec_listener_(enabled);
  log::warning(enabled ? "command execution enabled" : "command execution DISABLED (kill switch)");
}

std::string ContainerManager::network_not_allowed_message() {
  return "Network access for dev containers is off on this server: the operator must start "
         "benchtop with --allow-sandbox-network (and the user confirms each project). Work "
         "without network, or ask the user.";
}

namespace {

// What the backend is handed for a project's container, as its row says.
ContainerSpec spec_of(const ContainerProject& project, const ContainerRow& row) {
  return ContainerSpec{project.id, project.name, project.workspace, row.limits, row.network};
}

// `limit` within `ceiling`, where 0 means "none" for both.
int64_t within(int64_t limit, int64_t ceiling) {
  if (ceiling <= 0) return limit;
  return limit <= 0 || limit > ceiling ? ceiling : limit;
}

}  // namespace

Status ContainerManager::check_settings(const ContainerSettings& settings) const {
  if (settings.network.value_or(false) && !options_.allow_network) {
    return Error::make(network_not_allowed_message(), "network_not_allowed");
  }
  const auto& ceiling = options_.default_limits;
  auto above = [](const std::optional<int64_t>& asked, int64_t most) {
    return asked && most > 0 && *asked > most;
  };
  if (above(settings.memory_bytes, ceiling.memory_bytes)) {
    return Error::make("memory_mb may be at most " +
                           std::to_string(ceiling.memory_bytes / (1024 * 1024)) +
                           " here (the operator's --container-memory-mb); ask for that or less",
                       "above_operator_limit");
  }
  if (above(settings.pids, ceiling.pids)) {
    return Error::make("pids may be at most " + std::to_string(ceiling.pids) +
                           " here (the operator's --container-pids); ask for that or less",
                       "above_operator_limit");
  }
  if (above(settings.cpu_millis, ceiling.cpu_millis)) {
    return Error::make("cpus may be at most " + std::to_string(ceiling.cpu_millis / 1000.0) +
                           " here (the operator's --container-cpus); ask for that or less",
                       "above_operator_limit");
  }
  return {};
}

void ContainerManager::bound_to_operator(ContainerRow& row) const {
  const auto& ceiling = options_.default_limits;
  row.limits.memory_bytes = within(row.limits.memory_bytes, ceiling.memory_bytes);
  row.limits.pids = within(row.limits.pids, ceiling.pids);
  row.limits.cpu_millis = within(row.limits.cpu_millis, ceiling.cpu_millis);
  if (!options_.allow_network) row.network = false;
}

Result<ContainerRow> ContainerManager::load_row(const ContainerProject& project) {
  auto row = store_.get(project.id);
  if (!row) return row.take_error();
  if (*row) {
    ContainerRow stored = **row;
    bound_to_operator(stored);
    return stored;
  }
  ContainerRow fresh;
  fresh.project_id = project.id;
  fresh.backend = backend_name_;
  fresh.limits = options_.default_limits;
  fresh.network = options_.default_network;
  fresh.state = ContainerState::kStopped;
  bound_to_operator(fresh);
  return fresh;
}

std::shared_ptr<std::mutex> ContainerManager::lifecycle_of(const std::string& project_id) {
  std::lock_guard lock(lifecycle_locks_mutex_);
  auto& entry = lifecycle_locks_[project_id];
  if (!entry) entry = std::make_shared<std::mutex>();
  return entry;
}

Result<size_t> ContainerManager::reconcile() {
  auto rows = store_.all();
  if (!rows) return rows.take_error();
  size_t changed = 0, adopted = 0;
  for (const auto& row : *rows) {
    const auto lifecycle_lock = lifecycle_of(row.project_id);
    std::lock_guard lifecycle(*lifecycle_lock);
    ContainerSpec spec;
    spec.project_id = row.project_id;
    spec.limits = row.limits;
    spec.network = row.network;
    auto alive = backend_->adopt(spec);
    if (alive && *alive) {
      ++adopted;
      continue;
    }
    if (row.state != ContainerState::kStopped) {
      if (auto status = store_.set_state(row.project_id, ContainerState::kStopped); !status) {
        return status.take_error();
      }
      ++changed;
    }
  }
  if (adopted) log::info("adopted " + std::to_string(adopted) + " running container(s)");
  if (changed) {
    log::info("marked " + std::to_string(changed) + " container(s) of an earlier run stopped");
  }
  return changed;
}

Result<ContainerSpec> ContainerManager::spec_for(const std::optional<std::string>& name) {
  auto project = resolver_(name);
  if (!project) return project.take_error();
  auto row = load_row(*project);
  if (!row) return row.take_error();
  return spec_of(*project, *row);
}

Result<ContainerSpec> ContainerManager::prepare(const std::optional<std::string>& name) {
  auto project = resolver_(name);
  if (!project) return project.take_error();
  {
    // Fast path: running already; count the command so idle suspension leaves it alone.
    std::lock_guard lock(mutex_);
    auto it = entries_.find(project->id);
    if (it != entries_.end() && it->second.state == ContainerState::kRunning) {
      ++it->second.active;
      it->second.last_activity = std::chrono::steady_clock::now();
      it->second.spec.workspace = project->workspace;
      it->second.spec.project_name = project->name;
      return it->second.spec;
    }
  }
  auto info = ensure(name);
  if (!info) return info.take_error();
  std::lock_guard lock(mutex_);
  auto& entry = entries_[project->id];
  ++entry.active;
  entry.last_activity = std::chrono::steady_clock::now();
  return entry.spec;
}

void ContainerManager::finish_activity(const std::string& project_id) {
  bool persist = false;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(project_id);
    if (it == entries_.end()) return;
    if (it->second.active > 0) --it->second.active;
    const auto now = std::chrono::steady_clock::now();
    it->second.last_activity = now;
    // The stored last activity is for people and restarts, not for idle detection (which uses
    // the in-memory time): a write every few seconds at most keeps SQLite off the command path.
    if (now - it->second.last_persisted >= std::chrono::seconds(5)) {
      it->second.last_persisted = now;
      persist = true;
    }
  }
  if (persist) (void)store_.touch(project_id);
}

Result<ContainerInfo> ContainerManager::ensure(const std::optional<std::string>& name,
                                               const ContainerSettings& settings) {
  if (auto allowed = check_settings(settings); !allowed) return allowed.take_error();
  auto project = resolver_(name);
  if (!project) return project.take_error();
  {
    const auto lifecycle_lock = lifecycle_of(project->id);
    std::lock_guard lifecycle(*lifecycle_lock);
    auto loaded = load_row(*project);
    if (!loaded) return loaded.take_error();
    ContainerRow row = std::move(loaded).value();
    if (settings.memory_bytes) row.limits.memory_bytes = *settings.memory_bytes;
    if (settings.pids) row.limits.pids = *settings.pids;
    if (settings.cpu_millis) row.limits.cpu_millis = *settings.cpu_millis;
    if (settings.network) row.network = *settings.network;
    row.backend = backend_name_;
    const ContainerSpec spec = spec_of(*project, row);

    ContainerState current;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(project->id);
      current = it == entries_.end() ? ContainerState::kStopped : it->second.state;
    }
    if (current != ContainerState::kRunning && current != ContainerState::kSuspended) {
      row.state = ContainerState::kCreating;
      if (auto saved = store_.save(row); !saved) return saved.take_error();
    }
    Status made = backend_->ensure(spec);
    if (made && current == ContainerState::kSuspended) made = backend_->resume(spec);
    row.state = made ? ContainerState::kRunning : ContainerState::kError;
    row.error = made ? "" : made.error().message;
    if (auto saved = store_.save(row); !saved) return saved.take_error();
    {
      std::lock_guard lock(mutex_);
      auto& entry = entries_[project->id];
      entry.spec = spec;
      entry.state = row.state;
      entry.last_activity = std::chrono::steady_clock::now();
    }
    if (!made) return Error::make("cannot start the dev container: " + made.error().message);
  }
  return info_for(*project);
}

Result<ContainerInfo> ContainerManager::info_for(const ContainerProject& project) {
  auto loaded = load_row(project);
  if (!loaded) return loaded.take_error();
  ContainerInfo info;
  info.project_id = project.id;
  info.project_name = project.name;
  info.backend = loaded->backend;
  info.state = loaded->state;
  info.limits = loaded->limits;
  info.network = loaded->network;
  info.error = loaded->error;
  info.last_activity = loaded->last_activity;
  const ContainerSpec spec = spec_of(project, *loaded);
  info.backend_status = backend_->status(spec);
  if (options_.disk != nullptr) {
    DiskReport disk = options_.disk->report(project.workspace);
    if (disk.enforced) {
      info.backend_status.enforced.push_back("disk");
      info.disk_limit_bytes = disk.limit_bytes;
      info.backend_status.usage.disk_bytes = disk.used_bytes;
    }
    info.backend_status.notes.push_back(std::move(disk.note));
  }
  // A frozen supervisor cannot answer; its processes are counted once it is resumed.
  if (info.backend_status.exists && !info.backend_status.frozen) {
    if (auto list = backend_->list_processes(spec)) {
      for (const auto& process : *list) info.processes += process.running ? 1 : 0;
    }
  }
  return info;
}

Result<ContainerInfo> ContainerManager::status(const std::optional<std::string>& name) {
  auto project = resolver_(name);
  if (!project) return project.take_error();
  return info_for(*project);
}

Result<ContainerInfo> ContainerManager::suspend(const std::optional<std::string>& name) {
  return suspend_container(name, std::nullopt);
}

Result<ContainerInfo> ContainerManager::suspend_container(
    const std::optional<std::string>& name,
    std::optional<std::chrono::steady_clock::duration> only_if_idle_for) {
  auto project = resolver_(name);
  if (!project) return project.take_error();
  {
    const auto lifecycle_lock = lifecycle_of(project->id);
    std::lock_guard lifecycle(*lifecycle_lock);
    ContainerSpec spec;
    bool already_suspended = false;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(project->id);
      if (it == entries_.end() || it->second.state == ContainerState::kStopped) {
        return Error::make(
            "the dev container of '" + project->name + "' is not running; nothing to suspend",
            "not_running");
      }
      if (it->second.state == ContainerState::kSuspended) {
        // Answered below, once mutex_ (which info_for takes) is released.
        already_suspended = true;
      } else {
        if (only_if_idle_for &&
            (it->second.active > 0 ||
             std::chrono::steady_clock::now() - it->second.last_activity < *only_if_idle_for)) {
          return Error::make("busy again", "busy");
        }
        // Marked before freezing, so a command arriving meanwhile takes the slow path (ensure),
        // which waits for this lifecycle change and then thaws the container.
        it->second.state = ContainerState::kSuspended;
        spec = it->second.spec;
      }
    }
    if (already_suspended) return info_for(*project);
    if (auto frozen = backend_->suspend(spec); !frozen) {
      std::lock_guard lock(mutex_);
      entries_[project->id].state = ContainerState::kRunning;
      return frozen.take_error();
    }
    if (auto saved = store_.set_state(project->id, ContainerState::kSuspended); !saved) {
      return saved.take_error();
    }
  }
  return info_for(*project);
}

Result<ContainerInfo> ContainerManager::resume(const std::optional<std::string>& name) {
  return ensure(name);
}

Result<ContainerInfo> ContainerManager::destroy(const std::optional<std::string>& name) {
  auto project = resolver_(name);
  if (!project) return project.take_error();
  {
    const auto lifecycle_lock = lifecycle_of(project->id);
    std::lock_guard lifecycle(*lifecycle_lock);
    auto loaded = load_row(*project);
    if (!loaded) return loaded.take_error();
    const ContainerSpec spec = spec_of(*project, *loaded);
    if (auto removed = backend_->destroy(spec); !removed) return removed.take_error();
    ContainerRow row = std::move(loaded).value();
    row.state = ContainerState::kStopped;
    row.error.clear();
    if (auto saved = store_.save(row); !saved) return saved.take_error();
    std::lock_guard lock(mutex_);
    entries_.erase(project->id);
  }
  return info_for(*project);
}

Status ContainerManager::remove(const std::string& project_id) {
  auto destroyed = destroy(project_id);
  if (!destroyed) return destroyed.take_error();
  auto spec = spec_for(project_id);
  if (!spec) return spec.take_error();
  return backend_->remove_state(*spec);
}

Result<ExecResult> ContainerManager::run(const std::optional<std::string>& project,
                                         const ExecRequest& request,
                                         const CancellationToken& cancellation,
                                         const OutputSink& on_output) {
  if (!exec_enabled()) return Error::make(disabled_message(), "exec_disabled");
  auto spec = prepare(project);
  if (!spec) return spec.take_error();
  ProcessLaunch launch{request.command, request.cwd, request.env, false};
  auto process = backend_->exec(*spec, launch);
  if (!process && process.error().code == "unavailable") {
    // The sandbox is gone though this server thought it running: another benchtop on the data
    // directory destroyed it, or code in the project ended it. Make it again, once.
    finish_activity(spec->project_id);
    forget_running(spec->project_id);
    spec = prepare(project);
    if (!spec) return spec.take_error();
    process = backend_->exec(*spec, launch);
  }
  if (!process) {
    finish_activity(spec->project_id);
    return process.take_error();
  }
  ExecResult result = run_to_completion(**process, request, cancellation, on_output,
                                        backend_->exit_codes_carry_signals());
  finish_activity(spec->project_id);
  return result;
}

void ContainerManager::forget_running(const std::string& project_id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(project_id); it != entries_.end()) {
    it->second.state = ContainerState::kStopped;
  }
}

Result<BackgroundProcessInfo> ContainerManager::start_process(
    const std::optional<std::string>& project, const ProcessLaunch& launch) {
  if (!exec_enabled()) return Error::make(disabled_message(), "exec_disabled");
  auto spec = prepare(project);
  if (!spec) return spec.take_error();
  auto list = backend_->list_processes(*spec);
  if (!list) {
    finish_activity(spec->project_id);
    return list.take_error();
  }
  size_t running = 0;
  for (const auto& process : *list) running += process.running ? 1 : 0;
  if (running >= options_.max_processes_per_project) {
    finish_activity(spec->project_id);
    return Error::make("project already has " + std::to_string(running) +
                           " background processes (the limit); stop one with process_kill first",
                       "limit");
  }
  auto started = backend_->start_process(*spec, launch);
  if (!started && started.error().code == "unavailable") {
    finish_activity(spec->project_id);  // gone meanwhile (see run()): made again, once
    forget_running(spec->project_id);
    spec = prepare(project);
    if (!spec) return spec.take_error();
    started = backend_->start_process(*spec, launch);
  }
  finish_activity(spec->project_id);
  if (started) (void)store_.touch(spec->project_id);
  return started;
}

Result<ProcessOutput> ContainerManager::read_process(const std::optional<std::string>& project,
                                                     const std::string& id,
                                                     std::optional<uint64_t> since,
                                                     std::optional<uint64_t> tail, uint64_t max) {
  auto spec = spec_for(project);
  if (!spec) return spec.take_error();
  return backend_->read_process(*spec, id, since, tail, max);
}

Result<BackgroundProcessInfo> ContainerManager::kill_process(
    const std::optional<std::string>& project, const std::string& id, int signal) {
  auto spec = spec_for(project);
  if (!spec) return spec.take_error();
  // A frozen process cannot act on a signal: the backend thaws its container first.
  return backend_->signal_process(*spec, id, signal);
}

Status ContainerManager::write_process(const std::optional<std::string>& project,
                                       const std::string& id, std::string_view input) {
  if (!exec_enabled()) return Error::make(disabled_message(), "exec_disabled");
  auto spec = prepare(project);
  if (!spec) return spec.take_error();
  auto written = backend_->write_process(*spec, id, input);
  finish_activity(spec->project_id);
  return written;
}

Result<UniqueFd> ContainerManager::connect_port(const std::optional<std::string>& project,
                                                int port) {
  auto spec = spec_for(project);
  if (!spec) return spec.take_error();
  return backend_->connect_port(*spec, port);
}

std::optional<std::vector<int>> ContainerManager::listening_ports(
    const std::optional<std::string>& project) {
  auto spec = spec_for(project);
  if (!spec) return std::nullopt;
  return backend_->listening_ports(*spec);
}

Result<std::vector<BackgroundProcessInfo>> ContainerManager::list_processes(
    const std::optional<std::string>& project) {
  auto spec = spec_for(project);
  if (!spec) return spec.take_error();
  auto list = backend_->list_processes(*spec);
  if (!list) return list.take_error();
  std::stable_sort(list->begin(), list->end(),
                   [](const auto& a, const auto& b) { return a.started < b.started; });
  return list;
}

size_t ContainerManager::suspend_idle(std::chrono::steady_clock::duration idle_for) {
  std::vector<std::pair<std::string, ContainerSpec>> idle;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [id, entry] : entries_) {
      if (entry.state == ContainerState::kRunning && entry.active == 0 &&
          now - entry.last_activity >= idle_for) {
        idle.emplace_back(id, entry.spec);
      }
    }
  }
  size_t suspended = 0;
  for (const auto& [id, spec] : idle) {
    // Idle here is not idle everywhere: another benchtop on the data directory may be using it.
    if (backend_->in_use(spec, std::chrono::duration_cast<std::chrono::milliseconds>(idle_for))) {
      continue;
    }
    if (suspend_container(id, idle_for)) {
      ++suspended;
      log::info("suspended the idle dev container of project " + id);
    }
  }
  return suspended;
}

void ContainerManager::idle_loop() {
  const auto interval = std::max<std::chrono::seconds>(
      std::chrono::seconds(1),
      std::min<std::chrono::seconds>(options_.idle_suspend / 4, std::chrono::seconds(60)));
  std::unique_lock lock(idle_mutex_);
  while (!idle_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    suspend_idle(options_.idle_suspend);
    lock.lock();
  }
}

}  // namespace benchtop
