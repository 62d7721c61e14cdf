#include "server/sandbox/backends/supervised_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <thread>

#include "common/random.h"
#include "server/sandbox/supervisor/client.h"
#include "server/sandbox/supervisor/protocol.h"

namespace benchtop {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using supervisor::Clock;

namespace {

// How long a request to a live supervisor may take: it answers from memory, at once.
constexpr auto kRequestTimeout = 5s;
// A supervisor starts in tens of milliseconds; the bound covers a loaded machine.
constexpr auto kStartTimeout = 15s;
// After a command's tree was killed, how long its exit report may take before it is assumed.
constexpr auto kExitAfterKill = 5s;

Error errno_error(const std::string& what) {
  return Error::make(what + ": " + std::strerror(errno), "unavailable");
}

Result<std::pair<UniqueFd, UniqueFd>> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe");
  return std::pair<UniqueFd, UniqueFd>(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

std::string random_name(const char* prefix) {
  return std::string(prefix) + random_hex(8);
}

// A command the supervisor runs for shell_exec, as the exec loop drives it. Its exit status
// arrives on the request's connection; killing it kills its own cgroup, which reaches every
// process it started and nothing else of the sandbox.
class SupervisedCommand : public RunningCommand {
 public:
  SupervisedCommand(UniqueFd connection, UniqueFd in, UniqueFd out, UniqueFd err,
                    ProjectCgroup group, bool grouped)
      : connection_(std::move(connection)),
        stdin_(std::move(in)),
        stdout_(std::move(out)),
        stderr_(std::move(err)),
        group_(std::move(group)),
        grouped_(grouped) {}
  ~SupervisedCommand() override {
    if (!status_) kill_tree();
    group_.remove();
  }

  UniqueFd& stdin_fd() override { return stdin_; }
  UniqueFd& stdout_fd() override { return stdout_; }
  UniqueFd& stderr_fd() override { return stderr_; }
  int exit_fd() const override { return connection_.get(); }
  bool exited() const override { return status_.has_value(); }

  std::optional<ExitStatus> try_wait() override {
    if (status_) return status_;
    pollfd entry{connection_.get(), POLLIN, 0};
    if (::poll(&entry, 1, 0) > 0) {
      collect();
    } else if (killed_at_ && Clock::now() - *killed_at_ > kExitAfterKill) {
      // Killed, and the supervisor does not report it (code in the sandbox stopped it): the
      // tree is gone from the cgroup; do not wait for a report that may never come.
      status_ = ExitStatus{std::nullopt, SIGKILL};
    }
    return status_;
  }

  ExitStatus wait() override {
    while (!status_) {
      pollfd entry{connection_.get(), POLLIN, 0};
      const int ready = ::poll(&entry, 1, 200);
      if (ready > 0) {
        collect();
      } else if (ready < 0 && errno != EINTR) {
        status_ = ExitStatus{std::nullopt, SIGKILL};
      } else if (!killed_at_) {
        // wait() is called once the pipes are closed; a command still running then is killed.
        kill_tree();
      } else if (Clock::now() - *killed_at_ > kExitAfterKill) {
        status_ = ExitStatus{std::nullopt, SIGKILL};
      }
    }
    return *status_;
  }

  void kill_tree() override {
    if (!killed_at_) killed_at_ = Clock::now();
    if (grouped_) {
      (void)group_.kill_all();
    } else {
      // No cgroups here: a half-closed connection makes the supervisor kill the command's
      // process group (what called setsid escapes that; status says tree-kill is missing).
      ::shutdown(connection_.get(), SHUT_WR);
    }
  }

 private:
  void collect() {
    auto frame = supervisor::receive_frame(connection_.get(), Clock::now() + 1s);
    ExitStatus status;
    if (frame) {
      const auto exit = frame->body.find("exit");
      if (exit != frame->body.end() && exit->is_object()) {
        if (auto code = exit->find("code"); code != exit->end() && code->is_number_integer()) {
          status.exit_code = code->get<int>();
        }
        if (auto signal = exit->find("signal");
            signal != exit->end() && signal->is_number_integer()) {
          status.signal = signal->get<int>();
        }
      }
    }
    // No report (the supervisor died, or killed the command when we half-closed): killed.
    if (!status.exit_code && !status.signal) status.signal = SIGKILL;
    status_ = status;
  }

  UniqueFd connection_;
  UniqueFd stdin_, stdout_, stderr_;
  ProjectCgroup group_;
  const bool grouped_;
  std::optional<ExitStatus> status_;
  std::optional<Clock::time_point> killed_at_;
};

// An exclusive lock on a file, held across processes (flock), released on destruction.
class FileLock {
 public:
  static Result<FileLock> acquire(const fs::path& path, Clock::time_point deadline) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return errno_error("open " + path.string());
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) return errno_error("flock " + path.string());
      if (Clock::now() >= deadline) {
        return Error::make("another benchtop is still starting this sandbox", "busy");
      }
      // Another process starts the supervisor (tens of milliseconds): poll the lock gently.
      std::this_thread::sleep_for(5ms);
    }
    return FileLock(std::move(fd));
  }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

Status make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::make("cannot create " + dir.string() + ": " + ec.message(), "unavailable");
  if (::chmod(dir.c_str(), 0700) != 0) return errno_error("chmod " + dir.string());
  return {};
}

}  // namespace

SupervisedBackend::SupervisedBackend(CgroupHost host, std::string cgroup_parent,
                                     SupervisedOptions options)
    : host_(std::move(host)), parent_(std::move(cgroup_parent)), options_(std::move(options)) {
  if (options_.supervisor_program.empty())
    options_.supervisor_program = default_supervisor_program();
}

Status SupervisedBackend::state_configured() const {
  // No fallback under /tmp: a name there can be taken first by another user of the machine.
  if (options_.state_root.empty()) {
    return Error::make("no directory for sandbox state is configured", "unavailable");
  }
  return {};
}

fs::path SupervisedBackend::state_dir(const ContainerSpec& spec) const {
  return options_.state_root / spec.project_id;
}

fs::path SupervisedBackend::socket_path(const ContainerSpec& spec) const {
  return state_dir(spec) / "supervisor.sock";
}

fs::path SupervisedBackend::home_dir(const ContainerSpec& spec) const {
  return state_dir(spec) / "home";
}

std::map<std::string, std::string> SupervisedBackend::command_environment(
    const ContainerSpec& spec) const {
  auto env = base_environment("/home/dev");
  env["BENCHTOP_PROJECT"] = spec.project_name;
  return env;
}

Status SupervisedBackend::prepare_home(const fs::path&) const {
  return {};
}

ProjectCgroup SupervisedBackend::group_for(const ContainerSpec& spec, bool apply_limits) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(spec.project_id);
  if (it == groups_.end()) {
    it = groups_
             .emplace(spec.project_id,
                      ProjectCgroup::open(host_, parent_, spec.project_id, spec.limits))
             .first;
  } else if (apply_limits) {
    it->second.apply_limits(spec.limits);
  }
  return it->second;
}

bool SupervisedBackend::supervisor_alive(const ContainerSpec& spec) {
  auto answer = supervisor::request(socket_path(spec), {{"op", "hello"}}, 2s);
  return answer && answer->body.value("version", 0) == supervisor::kProtocolVersion;
}

namespace {

// What a sandbox was made with that cannot change while it runs: its network namespace.
std::string sandbox_mode(const ContainerSpec& spec) {
  return spec.network ? "network" : "isolated";
}

}  // namespace

std::string SupervisedBackend::running_mode(const ContainerSpec& spec) const {
  std::ifstream in(state_dir(spec) / "mode");
  std::string mode;
  std::getline(in, mode);
  return mode;
}

Status SupervisedBackend::ensure(const ContainerSpec& spec) {
  if (auto configured = state_configured(); !configured) return configured;
  if (auto made = make_private_dir(state_dir(spec)); !made) return made;
  ProjectCgroup group = group_for(spec, true);
  const bool same_mode = running_mode(spec) == sandbox_mode(spec);
  if (group.freeze_requested() && same_mode) return {};  // suspended: resume() thaws it
  if (supervisor_alive(spec)) {
    if (same_mode) return {};
    // Network on or off is a different namespace: the sandbox is made again, its processes end.
    if (auto removed = destroy(spec); !removed) return removed;
    group_for(spec, true);
  } else if (group.freeze_requested()) {
    (void)group.freeze(false);
  }
  return start_supervisor(spec);
}

Status SupervisedBackend::start_supervisor(const ContainerSpec& spec) {
  const auto deadline = Clock::now() + kStartTimeout;
  auto lock = FileLock::acquire(state_dir(spec) / "lock", deadline);
  if (!lock) return lock.take_error();
  // Another benchtop may have started it while this one waited for the lock.
  if (supervisor_alive(spec)) return {};

  ProjectCgroup group = group_for(spec, true);
  // A dead supervisor's sandbox: whatever is left of it goes (user-mode networking, strays).
  (void)group.kill_all();

  std::error_code ec;
  fs::create_directories(home_dir(spec), ec);
  if (auto ready = prepare_home(home_dir(spec)); !ready) return ready;
  auto started = launch_supervisor(spec, group, /*born_in_group=*/true, deadline);
  if (!started && group.birthplace().unified_dir) {
    // Some kernels kill a process created straight into a group that was killed before (see
    // ProjectCgroup::kill_all): start it the ordinary way, joining the group after the fork.
    (void)group.kill_all();
    started = launch_supervisor(spec, group, /*born_in_group=*/false, deadline);
  }
  return started;
}

Status SupervisedBackend::launch_supervisor(const ContainerSpec& spec, const ProjectCgroup& group,
                                            bool born_in_group, Clock::time_point deadline) {
  auto listener = supervisor::listen_at(socket_path(spec));
  if (!listener) return listener.take_error();
  // What bubblewrap and the supervisor say goes to an anonymous file: a log file's host path
  // would show inside the sandbox (/proc/1/fd/2), and this one is read only if the start fails.
  UniqueFd log(::memfd_create("benchtop-sandbox-log", MFD_CLOEXEC));
  if (!log) return errno_error("memfd_create");

  auto command = supervisor_command(spec, {"--listen-fd", std::to_string(listener->get()),
                                           "--log-fd", std::to_string(log.get())});
  if (!command) return command.take_error();
  SpawnOptions options;
  options.argv = command->argv;
  options.env = command->env;
  options.cwd = command->cwd;
  for (const auto& fd : command->pass_fds) options.keep_fds.push_back(fd.get());
  options.keep_fds.push_back(listener->get());
  options.keep_fds.push_back(log.get());
  options.before_exec = command->before_exec;
  // Created inside the project's groups rather than moved there: a sandbox's first command
  // waits for its start, and a migration can cost milliseconds.
  const ProjectCgroup::Birthplace place = group.birthplace();
  if (place.unified_dir && born_in_group) options.cgroup_dir_fd = place.unified_dir.get();
  if (place.unified_procs) options.cgroup_dir_procs_fd = place.unified_procs.get();
  for (const auto& fd : place.v1_tasks) options.cgroup_procs_fds.push_back(fd.get());
  auto started = spawn_detached(options, log.get());
  if (!started) return started.take_error();
  listener->reset();  // the supervisor holds it now
  {
    std::ofstream mode(state_dir(spec) / "mode", std::ios::trunc);
    mode << sandbox_mode(spec) << '\n';
  }

  auto hello = supervisor::request(
      socket_path(spec), {{"op", "hello"}},
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  if (!hello) {
    std::string said(4096, '\0');
    const ssize_t n = ::pread(log.get(), said.data(), said.size(), 0);
    said.resize(n > 0 ? static_cast<size_t>(n) : 0);
    while (!said.empty() && (said.back() == '\n' || said.back() == '\0')) said.pop_back();
    return Error::make("the sandbox did not start: " + hello.error().message +
                           (said.empty() ? std::string() : " (" + said + ")"),
                       "unavailable");
  }
  return {};
}

Status SupervisedBackend::thaw_if_frozen(const ContainerSpec& spec) {
  ProjectCgroup group = group_for(spec, false);
  if (group.freeze_requested()) return group.freeze(false);
  return {};
}

BackendStatus SupervisedBackend::status(const ContainerSpec& spec) {
  BackendStatus status;
  bool known = false;
  {
    std::lock_guard lock(mutex_);
    known = groups_.count(spec.project_id) > 0;
  }
  if (known) {
    ProjectCgroup group = group_for(spec, false);
    status.frozen = group.freeze_requested();
    status.exists = status.frozen || supervisor_alive(spec);
    if (status.exists && !status.frozen) {
      status.listening_ports = ask_listeners(spec).value_or(std::vector<int>{});
    }
    status.enforced = group.enforced();
    status.notes = group.notes();
    status.usage = group.usage();
  }
  for (auto& note : isolation_notes(spec)) status.notes.push_back(std::move(note));
  status.notes.push_back("cgroups: " + host_.describe());
  return status;
}

Result<std::unique_ptr<RunningCommand>> SupervisedBackend::exec(const ContainerSpec& spec,
                                                                const ProcessLaunch& launch) {
  auto cwd = normal_relative_cwd(launch.cwd);
  if (!cwd) return cwd.take_error();
  if (auto thawed = thaw_if_frozen(spec); !thawed) return thawed.take_error();
  auto in = make_pipe();
  auto out = make_pipe();
  auto err = make_pipe();
  if (!in || !out || !err) return errno_error("pipe");
  ProjectCgroup group = group_for(spec, false).child(random_name("c-"));
  const auto join = group.join_fds();

  auto env = command_environment(spec);
  for (const auto& [name, value] : launch.env) env[name] = value;
  nlohmann::json request = {
      {"op", "run"}, {"command", launch.command}, {"cwd", *cwd}, {"env", env}};
  std::vector<int> fds = {in->first.get(), out->second.get(),
                          launch.merge_stderr ? out->second.get() : err->second.get()};
  for (const auto& fd : join) fds.push_back(fd.get());

  const auto deadline = Clock::now() + kRequestTimeout;
  auto connection = supervisor::Connection::open(socket_path(spec), deadline);
  if (!connection) {
    group.remove();
    return Error::make("the dev container is not running: " + connection.error().message,
                       "unavailable");
  }
  auto started = connection->call(request, {}, fds, deadline);
  if (!started) {
    group.remove();
    return Error::make("cannot start the command: " + started.error().message,
                       started.error().code);
  }
  return std::unique_ptr<RunningCommand>(std::make_unique<SupervisedCommand>(
      connection->release(), std::move(in->second), std::move(out->first),
      launch.merge_stderr ? UniqueFd() : std::move(err->first), std::move(group), !join.empty()));
}

BackgroundProcessInfo SupervisedBackend::process_info(const ContainerSpec& spec,
                                                      const nlohmann::json& process) {
  BackgroundProcessInfo info;
  if (!process.is_object()) return info;
  auto text = [&process](const char* key) {
    auto it = process.find(key);
    return it != process.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto number = [&process](const char* key) -> std::optional<int64_t> {
    auto it = process.find(key);
    if (it == process.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  };
  info.id = text("id");
  info.project_id = spec.project_id;
  info.command = text("command");
  info.pid = static_cast<int>(number("pid").value_or(0));
  auto running = process.find("running");
  info.running = running != process.end() && running->is_boolean() && running->get<bool>();
  if (auto code = number("exit_code")) info.exit_code = static_cast<int>(*code);
  if (auto signal = number("signal")) info.signal = static_cast<int>(*signal);
  info.output_bytes =
      static_cast<uint64_t>(std::max<int64_t>(0, number("output_bytes").value_or(0)));
  info.started = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(number("started_ms").value_or(0)));
  return info;
}

Result<BackgroundProcessInfo> SupervisedBackend::start_process(const ContainerSpec& spec,
                                                               const ProcessLaunch& launch) {
  auto cwd = normal_relative_cwd(launch.cwd);
  if (!cwd) return cwd.take_error();
  if (auto thawed = thaw_if_frozen(spec); !thawed) return thawed.take_error();
  const std::string cgroup = random_name("p-");
  ProjectCgroup group = group_for(spec, false).child(cgroup);
  const auto join = group.join_fds();
  std::vector<int> fds;
  for (const auto& fd : join) fds.push_back(fd.get());
  auto env = command_environment(spec);
  for (const auto& [name, value] : launch.env) env[name] = value;
  auto answer = supervisor::request(socket_path(spec),
                                    {{"op", "start"},
                                     {"command", launch.command},
                                     {"cwd", *cwd},
                                     {"env", env},
                                     {"cgroup", cgroup}},
                                    kRequestTimeout, {}, fds);
  if (!answer) {
    group.remove();
    return answer.take_error();
  }
  return process_info(spec, answer->body.value("process", nlohmann::json()));
}

Result<std::vector<BackgroundProcessInfo>> SupervisedBackend::list_processes(
    const ContainerSpec& spec) {
  std::vector<BackgroundProcessInfo> list;
  if (group_for(spec, false).freeze_requested()) {
    // A frozen supervisor cannot answer; its processes are listed once it is resumed.
    if (auto thawed = thaw_if_frozen(spec); !thawed) return thawed.take_error();
  }
  auto answer = supervisor::request(socket_path(spec), {{"op", "list"}}, kRequestTimeout);
  if (!answer) {
    if (answer.error().code == "unavailable") return list;  // no sandbox: no processes
    return answer.take_error();
  }
  const auto processes = answer->body.find("processes");
  if (processes == answer->body.end() || !processes->is_array()) return list;
  for (const auto& process : *processes) list.push_back(process_info(spec, process));
  return list;
}

namespace {

Error not_found(const std::string& id) {
  return Error::make("no process '" + id +
                         "' in this project (ids belong to their project; it may belong to a "
                         "destroyed container); call process_list",
                     "not_found");
}

// The supervisor's refusal for an unknown id, told as "not found".
Error process_error(const Error& error, const std::string& id) {
  if (error.code == "unavailable" ||
      (error.code == "sandbox" && error.message.find("no process") != std::string::npos)) {
    return not_found(id);
  }
  return error;
}

uint64_t offset(const nlohmann::json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

}  // namespace

Result<ProcessOutput> SupervisedBackend::read_process(const ContainerSpec& spec,
                                                      const std::string& id,
                                                      std::optional<uint64_t> since,
                                                      std::optional<uint64_t> tail, uint64_t max) {
  if (auto thawed = thaw_if_frozen(spec); !thawed) return thawed.take_error();
  nlohmann::json request = {{"op", "read"}, {"id", id}, {"max", max}};
  if (since) request["since"] = *since;
  if (tail) request["tail"] = *tail;
  auto answer = supervisor::request(socket_path(spec), request, kRequestTimeout);
  if (!answer) return process_error(answer.error(), id);
  ProcessOutput output;
  output.process = process_info(spec, answer->body.value("process", nlohmann::json()));
  output.data = std::move(answer->payload);
  if (output.data.size() > max) output.data.resize(max);
  output.start = offset(answer->body, "start");
  output.next = offset(answer->body, "next");
  output.dropped = offset(answer->body, "dropped");
  return output;
}

Status SupervisedBackend::write_process(const ContainerSpec& spec, const std::string& id,
                                        std::string_view input) {
  if (auto thawed = thaw_if_frozen(spec); !thawed) return thawed.take_error();
  auto answer =
      supervisor::request(socket_path(spec), {{"op", "write"}, {"id", id}}, kRequestTimeout, input);
  if (!answer) return process_error(answer.error(), id);
  return {};
}

Result<BackgroundProcessInfo> SupervisedBackend::signal_process(const ContainerSpec& spec,
                                                                const std::string& id, int signal) {
  if (auto thawed = thaw_if_frozen(spec); !thawed) return thawed.take_error();
  auto answer = supervisor::request(
      socket_path(spec), {{"op", "signal"}, {"id", id}, {"signal", signal}}, kRequestTimeout);
  if (!answer) return process_error(answer.error(), id);
  const nlohmann::json process = answer->body.value("process", nlohmann::json());
  if (signal == SIGKILL) {
    // The group signal misses descendants that called setsid; the process's cgroup holds them.
    const std::string cgroup = process.is_object() ? process.value("cgroup", "") : "";
    if (!cgroup.empty() && cgroup.find('/') == std::string::npos && cgroup != "." &&
        cgroup != "..") {
      group_for(spec, false).child(cgroup).remove();
    }
    // The exit is reported by the supervisor once it has reaped the process.
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto list = supervisor::request(socket_path(spec), {{"op", "list"}}, kRequestTimeout);
      if (!list) break;
      for (const auto& entry : list->body.value("processes", nlohmann::json::array())) {
        if (entry.is_object() && entry.value("id", "") == id && !entry.value("running", true)) {
          return process_info(spec, entry);
        }
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  return process_info(spec, process);
}

Status SupervisedBackend::suspend(const ContainerSpec& spec) {
  ProjectCgroup group = group_for(spec, false);
  if (!group.can_freeze()) return Error::make("this host cannot freeze cgroups", "unavailable");
  return group.freeze(true);
}

Status SupervisedBackend::resume(const ContainerSpec& spec) {
  return group_for(spec, false).freeze(false);
}

Status SupervisedBackend::destroy(const ContainerSpec& spec) {
  // The cgroup holds the supervisor, bubblewrap, user-mode networking and every command: killing
  // it ends the sandbox, whichever benchtop started it.
  ProjectCgroup group;
  {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(spec.project_id);
    if (it != groups_.end()) {
      group = it->second;
      groups_.erase(it);
    } else {
      group = ProjectCgroup::existing(host_, parent_, spec.project_id);
    }
  }
  group.remove();
  std::error_code ec;
  if (state_configured()) fs::remove(socket_path(spec), ec);
  return {};
}

Result<UniqueFd> SupervisedBackend::connect_port(const ContainerSpec& spec, int port) {
  if (port < 1 || port > 65535) return Error::make("no such port", "invalid_argument");
  if (auto thawed = thaw_if_frozen(spec); !thawed) return thawed.take_error();
  auto answer =
      supervisor::request(socket_path(spec), {{"op", "connect"}, {"port", port}}, kRequestTimeout);
  if (!answer) return answer.take_error();
  // Exactly one descriptor, and a stream socket: the supervisor's answer is checked like any
  // input from inside the sandbox.
  if (answer->fds.size() != 1) {
    return Error::make("the sandbox answered a connect without exactly one connection", "protocol");
  }
  int type = 0;
  socklen_t length = sizeof type;
  if (::getsockopt(answer->fds[0].get(), SOL_SOCKET, SO_TYPE, &type, &length) != 0 ||
      type != SOCK_STREAM) {
    return Error::make("the sandbox answered a connect with something else than a stream socket",
                       "protocol");
  }
  return std::move(answer->fds[0]);
}

std::optional<std::vector<int>> SupervisedBackend::ask_listeners(const ContainerSpec& spec) {
  auto answer = supervisor::request(socket_path(spec), {{"op", "listeners"}}, 2s);
  if (!answer) return std::nullopt;
  // Checked like any answer from inside the sandbox.
  std::vector<int> ports;
  for (const auto& port : answer->body.value("ports", nlohmann::json::array())) {
    if (port.is_number_integer() && port.get<int>() > 0 && port.get<int>() < 65536) {
      ports.push_back(port.get<int>());
    }
  }
  return ports;
}

std::optional<std::vector<int>> SupervisedBackend::listening_ports(const ContainerSpec& spec) {
  if (!state_configured()) return std::nullopt;
  // Another benchtop may have made (or suspended) it: its cgroup says, whoever holds it.
  if (ProjectCgroup::existing(host_, parent_, spec.project_id).freeze_requested()) {
    return std::nullopt;
  }
  return ask_listeners(spec);
}

bool SupervisedBackend::in_use(const ContainerSpec& spec, std::chrono::milliseconds idle_for) {
  if (group_for(spec, false).freeze_requested()) return false;
  auto answer = supervisor::request(socket_path(spec), {{"op", "hello"}}, 2s);
  if (!answer) return false;
  const auto runs = answer->body.find("runs");
  const auto idle = answer->body.find("idle_ms");
  if (runs != answer->body.end() && runs->is_number_unsigned() && runs->get<uint64_t>() > 0) {
    return true;
  }
  return idle != answer->body.end() && idle->is_number_integer() &&
         idle->get<int64_t>() < idle_for.count();
}

Status SupervisedBackend::remove_state(const ContainerSpec& spec) {
  if (auto configured = state_configured(); !configured) return {};  // nothing was kept
  std::error_code ec;
  fs::remove_all(state_dir(spec), ec);
  if (ec) {
    return Error::make("cannot remove " + state_dir(spec).string() + ": " + ec.message(),
                       "unavailable");
  }
  return {};
}

Result<bool> SupervisedBackend::adopt(const ContainerSpec& spec) {
  if (auto configured = state_configured(); !configured) return configured.take_error();
  ProjectCgroup existing = ProjectCgroup::existing(host_, parent_, spec.project_id);
  if (existing.freeze_requested() || supervisor_alive(spec)) {
    std::lock_guard lock(mutex_);
    groups_.emplace(spec.project_id, existing);
    return true;
  }
  existing.remove();
  std::error_code ec;
  fs::remove(socket_path(spec), ec);
  return false;
}

fs::path default_supervisor_program() {
  std::error_code ec;
  const fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  const fs::path candidates[] = {dir / "benchtop-sandbox",
                                 dir.parent_path() / "lib" / "benchtop" / "benchtop-sandbox"};
  for (const auto& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return candidates[0];
}

std::map<std::string, std::string> base_environment(const std::string& home) {
  // Output goes to pipes, which would make runtimes buffer it: a dev server's "listening on"
  // line or a test's progress would arrive only when the buffer fills or the process ends.
  return {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
          {"HOME", home},
          {"LANG", "C.UTF-8"},
          {"TERM", "dumb"},
          {"USER", "dev"},
          {"PYTHONUNBUFFERED", "1"}};
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
