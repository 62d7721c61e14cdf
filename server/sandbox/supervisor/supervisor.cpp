#include "server/sandbox/supervisor/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "server/sandbox/supervisor/background.h"
#include "server/sandbox/supervisor/child.h"
#include "server/sandbox/supervisor/listening_ports.h"
#include "server/sandbox/supervisor/quiet_write.h"
#include "server/sandbox/supervisor/request_fields.h"
#include "server/sandbox/supervisor/tcp_connect.h"
#include "server/sandbox/supervisor/wire.h"

namespace benchtop::supervisor {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

// Clients send a request whole as soon as they connect; a frame that takes longer is broken.
constexpr auto kRequestLimit = 1s;
constexpr auto kAnswerLimit = 2s;
constexpr auto kConnectLimit = 2s;
// A connection that never sends its request is dropped, so leaked connections cannot pile up.
constexpr auto kIdleLimit = 30s;
// After running out of descriptors, accepting waits this long instead of spinning.
constexpr auto kAcceptPause = 100ms;
// Output read per process per wakeup, so one chatty process cannot starve the others.
constexpr size_t kOutputPerWakeup = 1024 * 1024;

struct Answer {
  Json body;
  std::string payload;
  std::vector<UniqueFd> fds;
};

Answer refusal(const std::string& message) {
  return Answer{{{"ok", false}, {"error", message}}, {}, {}};
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::string errno_text(const char* call) {
  return std::string(call) + ": " + std::strerror(errno);
}

// What `run` and `start` share: the command and where and how it runs.
Result<SpawnSpec> command_spec(const Json& body, const SupervisorOptions& options) {
  auto command = required_string(body, "command");
  if (!command) return command.take_error();
  auto cwd = required_string(body, "cwd");
  if (!cwd) return cwd.take_error();
  auto directory = working_directory(options.workspace_root, *cwd);
  if (!directory) return directory.take_error();
  auto env = environment(body);
  if (!env) return env.take_error();
  SpawnSpec spec;
  spec.shell = options.shell;
  spec.command = std::move(*command);
  spec.directory = std::move(*directory);
  spec.env = std::move(*env);
  return spec;
}

}  // namespace

class Supervisor::Loop {
 public:
  Loop(UniqueFd listener, SupervisorOptions options)
      : options_(std::move(options)), listener_(std::move(listener)) {}

  int run(int stop_event);

 private:
  // A connection whose request has not arrived yet.
  struct Pending {
    UniqueFd socket;
    Clock::time_point accepted;
  };
  // A `run` command and the connection waiting for its exit (closed when the caller hung up).
  struct RunCommand {
    Child child;
    UniqueFd connection;
  };
  enum class Source {
    kStop,
    kListener,
    kChildSignal,
    kPending,
    kRunConnection,
    kRunExit,
    kOutput,
    kInput,
    kProcessExit
  };
  struct Watched {
    Source source;
    uint64_t key;
  };

  int shut_down(int code);
  void watch(int fd, short events, Source source, uint64_t key);
  int poll_timeout() const;
  // False when the listening socket has failed.
  bool accept_connections();
  void drop_idle_connections();
  void serve(UniqueFd connection);
  void answer(int connection, const Answer& answer);

  Answer hello();
  void run_command(UniqueFd connection, Frame& request);
  Answer start(Frame& request);
  Answer list();
  Answer read(const Json& body);
  Answer write(const Frame& request);
  Answer signal(const Json& body);
  Answer forget(const Json& body);
  Answer connect(const Json& body);
  Answer listeners();
  Result<Background*> process(const Json& body);

  void run_connection_event(uint64_t key, short revents);
  void run_exited(std::map<uint64_t, RunCommand>::iterator run);
  void process_exited(Background& process);
  void reap_any();
  void log(const std::string& message) const;

  const SupervisorOptions options_;
  UniqueFd listener_;
  UniqueFd child_signals_;  // signalfd of SIGCHLD, with reap_orphans
  std::optional<Clock::time_point> accept_paused_until_;
  std::map<uint64_t, Pending> pending_;
  std::map<uint64_t, RunCommand> runs_;
  std::map<uint64_t, std::unique_ptr<Background>> processes_;  // by number: oldest first
  uint64_t next_connection_ = 1;
  uint64_t next_process_ = 1;
  uint64_t exits_ = 0;
  std::vector<pollfd> poll_fds_;
  std::vector<Watched> watched_;
};

void Supervisor::Loop::log(const std::string& message) const {
  if (options_.log_fd < 0) return;
  const std::string line = "benchtop-sandbox: " + message + "\n";
  (void)write_without_sigpipe(options_.log_fd, line.data(), line.size());
}

void Supervisor::Loop::watch(int fd, short events, Source source, uint64_t key) {
  if (fd < 0) return;
  poll_fds_.push_back(pollfd{fd, events, 0});
  watched_.push_back(Watched{source, key});
}

int Supervisor::Loop::poll_timeout() const {
  std::optional<Clock::time_point> next = accept_paused_until_;
  for (const auto& [key, pending] : pending_) {
    const auto expiry = pending.accepted + kIdleLimit;
    if (!next || expiry < *next) next = expiry;
  }
  if (!next) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 60'000));
}

int Supervisor::Loop::run(int stop_event) {
  set_nonblocking(listener_.get());
  if (options_.reap_orphans) {
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    child_signals_.reset(::signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!child_signals_) {
      log(errno_text("signalfd"));
      return 1;
    }
  }
  for (;;) {
    poll_fds_.clear();
    watched_.clear();
    watch(stop_event, POLLIN, Source::kStop, 0);
    watch(options_.stop_fd, POLLIN, Source::kStop, 0);
    if (accept_paused_until_ && Clock::now() >= *accept_paused_until_) accept_paused_until_.reset();
    if (!accept_paused_until_) watch(listener_.get(), POLLIN, Source::kListener, 0);
    watch(child_signals_.get(), POLLIN, Source::kChildSignal, 0);
    for (const auto& [key, pending] : pending_) {
      watch(pending.socket.get(), POLLIN, Source::kPending, key);
    }
    for (const auto& [key, run] : runs_) {
      watch(run.connection.get(), POLLIN, Source::kRunConnection, key);
      watch(run.child.pidfd(), POLLIN, Source::kRunExit, key);
    }
    for (const auto& [key, process] : processes_) {
      watch(process->output_fd(), POLLIN, Source::kOutput, key);
      watch(process->input_fd_to_flush(), POLLOUT, Source::kInput, key);
      watch(process->child().pidfd(), POLLIN, Source::kProcessExit, key);
    }

    const int ready = ::poll(poll_fds_.data(), poll_fds_.size(), poll_timeout());
    if (ready < 0) {
      if (errno == EINTR) continue;
      log(errno_text("poll"));
      return shut_down(1);
    }
    // Handlers may remove what later entries name: each looks its key up again.
    const std::vector<pollfd> fired = poll_fds_;
    const std::vector<Watched> sources = watched_;
    for (size_t i = 0; i < fired.size(); ++i) {
      const short revents = fired[i].revents;
      if (revents == 0) continue;
      const uint64_t key = sources[i].key;
      switch (sources[i].source) {
        case Source::kStop:
          return shut_down(0);
        case Source::kListener:
          if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 || !accept_connections()) {
            log("the listening socket failed");
            return shut_down(1);
          }
          break;
        case Source::kChildSignal:
          reap_any();
          break;
        case Source::kPending:
          if (auto found = pending_.find(key); found != pending_.end()) {
            UniqueFd connection = std::move(found->second.socket);
            pending_.erase(found);
            serve(std::move(connection));
          }
          break;
        case Source::kRunConnection:
          run_connection_event(key, revents);
          break;
        case Source::kRunExit:
          if (auto found = runs_.find(key);
              found != runs_.end() && found->second.child.try_reap()) {
            run_exited(found);
          }
          break;
        case Source::kOutput:
          if (auto found = processes_.find(key); found != processes_.end()) {
            found->second->read_output(kOutputPerWakeup);
          }
          break;
        case Source::kInput:
          if (auto found = processes_.find(key); found != processes_.end()) {
            if (auto flushed = found->second->flush_input(); !flushed) {
              log(flushed.error().message);
            }
          }
          break;
        case Source::kProcessExit:
          if (auto found = processes_.find(key);
              found != processes_.end() && found->second->child().try_reap()) {
            process_exited(*found->second);
          }
          break;
      }
    }
    drop_idle_connections();
  }
}

int Supervisor::Loop::shut_down(int code) {
  // Every group gets its SIGKILL before any is waited for, so they die together; destroying the
  // children then reaps them.
  for (auto& [key, run] : runs_) run.child.signal_group(SIGKILL);
  for (auto& [key, process] : processes_) process->child().signal_group(SIGKILL);
  runs_.clear();
  processes_.clear();
  pending_.clear();
  return code;
}

bool Supervisor::Loop::accept_connections() {
  // Bounded, so a flood of connections still lets the loop serve the ones it has.
  for (int i = 0; i < 64; ++i) {
    const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      pending_.emplace(next_connection_++, Pending{UniqueFd(fd), Clock::now()});
      continue;
    }
    switch (errno) {
      case EAGAIN:
        return true;
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
      case EPERM:
        continue;
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        // The connection stays queued; polling the listener now would only spin.
        log(errno_text("accept"));
        accept_paused_until_ = Clock::now() + kAcceptPause;
        return true;
      default:
        log(errno_text("accept"));
        return false;
    }
  }
  return true;
}

void Supervisor::Loop::drop_idle_connections() {
  const auto now = Clock::now();
  std::erase_if(pending_,
                [&](const auto& entry) { return now - entry.second.accepted >= kIdleLimit; });
}

void Supervisor::Loop::answer(int connection, const Answer& answer) {
  std::vector<int> fds;
  for (const auto& fd : answer.fds) fds.push_back(fd.get());
  auto sent = send_frame(connection, answer.body, answer.payload, fds, Clock::now() + kAnswerLimit);
  if (!sent) log("cannot answer a request: " + sent.error().message);
}

void Supervisor::Loop::serve(UniqueFd connection) {
  auto request = receive_frame(connection.get(), Clock::now() + kRequestLimit);
  if (!request) {
    // A client that connects and goes away (a liveness check) is not an error worth a line.
    if (request.error().code != "closed") log("bad request: " + request.error().message);
    return;
  }
  const Json& body = request->body;
  const auto op = body.find("op");
  if (op == body.end() || !op->is_string()) {
    answer(connection.get(), refusal("the request has no `op`"));
    return;
  }
  const std::string name = op->get<std::string>();
  if (name == "run") {
    run_command(std::move(connection), *request);
    return;
  }
  Answer reply;
  if (name == "hello") {
    reply = hello();
  } else if (name == "start") {
    reply = start(*request);
  } else if (name == "list") {
    reply = list();
  } else if (name == "read") {
    reply = read(body);
  } else if (name == "write") {
    reply = write(*request);
  } else if (name == "signal") {
    reply = signal(body);
  } else if (name == "forget") {
    reply = forget(body);
  } else if (name == "connect") {
    reply = connect(body);
  } else if (name == "listeners") {
    reply = listeners();
  } else {
    reply = refusal("unknown op \"" + name + "\"");
  }
  if (reply.body.value("ok", false) == false) log(name + ": " + reply.body.value("error", ""));
  answer(connection.get(), reply);
}

Answer Supervisor::Loop::hello() {
  return Answer{{{"ok", true}, {"pid", ::getpid()}, {"version", kProtocolVersion}}, {}, {}};
}

void Supervisor::Loop::run_command(UniqueFd connection, Frame& request) {
  auto spec = command_spec(request.body, options_);
  if (spec && request.fds.size() < 3) {
    spec = Error::make("`run` needs three descriptors (stdin, stdout, stderr), then cgroup.procs");
  }
  if (!spec) {
    log("run: " + spec.error().message);
    answer(connection.get(), refusal(spec.error().message));
    return;
  }
  spec->stdin_fd = request.fds[0].get();
  spec->stdout_fd = request.fds[1].get();
  spec->stderr_fd = request.fds[2].get();
  for (size_t i = 3; i < request.fds.size(); ++i)
    spec->cgroup_procs_fds.push_back(request.fds[i].get());
  auto child = spawn(*spec);
  // The caller's ends of the command's stdio are the command's alone now: holding them would
  // keep the caller from seeing end of file.
  request.fds.clear();
  if (!child) {
    log("run: " + child.error().message);
    answer(connection.get(), refusal(child.error().message));
    return;
  }
  auto sent = send_frame(connection.get(), {{"ok", true}, {"pid", child->pid()}},
                         Clock::now() + kAnswerLimit);
  if (!sent) {
    // No one is waiting for this command: it goes, and is reaped like any other.
    log("run: cannot answer: " + sent.error().message);
    child->signal_group(SIGKILL);
    connection.reset();
  }
  runs_.emplace(next_connection_++, RunCommand{std::move(*child), std::move(connection)});
}

void Supervisor::Loop::run_connection_event(uint64_t key, short revents) {
  const auto found = runs_.find(key);
  if (found == runs_.end() || !found->second.connection) return;
  RunCommand& run = found->second;
  bool hung_up = (revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
  if (!hung_up && (revents & POLLIN) != 0) {
    // Nothing more is expected from the caller: bytes are dropped, end of file is a hang-up.
    std::array<char, 4096> discard;
    const ssize_t n = ::recv(run.connection.get(), discard.data(), discard.size(), MSG_DONTWAIT);
    hung_up = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
  }
  if (!hung_up) return;
  run.child.signal_group(SIGKILL);
  run.connection.reset();
}

void Supervisor::Loop::run_exited(std::map<uint64_t, RunCommand>::iterator run) {
  if (run->second.connection) {
    const Exit& exit = *run->second.child.exit();
    const Json status = exit.signal ? Json{{"signal", *exit.signal}} : Json{{"code", *exit.code}};
    auto sent =
        send_frame(run->second.connection.get(), {{"exit", status}}, Clock::now() + kAnswerLimit);
    if (!sent) log("run: cannot report an exit: " + sent.error().message);
  }
  runs_.erase(run);
}

void Supervisor::Loop::process_exited(Background& process) {
  process.on_exit(++exits_);
  size_t exited = 0;
  for (const auto& [key, kept] : processes_) exited += kept->running() ? 0 : 1;
  while (exited > kKeptExited) {
    auto oldest = processes_.end();
    for (auto it = processes_.begin(); it != processes_.end(); ++it) {
      if (it->second->running()) continue;
      if (oldest == processes_.end() ||
          it->second->exit_sequence() < oldest->second->exit_sequence()) {
        oldest = it;
      }
    }
    processes_.erase(oldest);
    --exited;
  }
}

void Supervisor::Loop::reap_any() {
  signalfd_siginfo info;
  while (::read(child_signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
  }
  // SIGCHLDs coalesce: one may stand for many exits.
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    if (auto run = std::find_if(runs_.begin(), runs_.end(),
                                [&](const auto& entry) { return entry.second.child.pid() == pid; });
        run != runs_.end()) {
      run->second.child.reaped(status);
      run_exited(run);
      continue;
    }
    for (auto& [key, process] : processes_) {
      if (process->child().pid() == pid && process->running()) {
        process->child().reaped(status);
        process_exited(*process);
        break;
      }
    }
  }
}

Answer Supervisor::Loop::start(Frame& request) {
  auto spec = command_spec(request.body, options_);
  if (!spec) return refusal(spec.error().message);
  auto cgroup = required_string(request.body, "cgroup");
  if (!cgroup) return refusal(cgroup.error().message);
  int input[2], output[2];
  if (::pipe2(input, O_CLOEXEC) != 0) return refusal(errno_text("pipe"));
  UniqueFd input_read(input[0]), input_write(input[1]);
  if (::pipe2(output, O_CLOEXEC) != 0) return refusal(errno_text("pipe"));
  UniqueFd output_read(output[0]), output_write(output[1]);
  spec->stdin_fd = input_read.get();
  spec->stdout_fd = output_write.get();
  spec->stderr_fd = output_write.get();
  for (const auto& fd : request.fds) spec->cgroup_procs_fds.push_back(fd.get());
  auto child = spawn(*spec);
  if (!child) return refusal(child.error().message);
  // The supervisor's ends must never block the loop; the command's ends stay blocking (they are
  // separate open files), as commands expect.
  set_nonblocking(input_write.get());
  set_nonblocking(output_read.get());
  const uint64_t number = next_process_++;
  auto process = std::make_unique<Background>(number, spec->command, std::move(*cgroup),
                                              std::move(*child), std::move(input_write),
                                              std::move(output_read), options_.ring_bytes);
  Json description = process->to_json();
  processes_.emplace(number, std::move(process));
  return Answer{{{"ok", true}, {"process", std::move(description)}}, {}, {}};
}

Answer Supervisor::Loop::list() {
  Json processes = Json::array();
  for (const auto& [key, process] : processes_) processes.push_back(process->to_json());
  return Answer{{{"ok", true}, {"processes", std::move(processes)}}, {}, {}};
}

Result<Background*> Supervisor::Loop::process(const Json& body) {
  auto id = required_string(body, "id");
  if (!id) return id.take_error();
  for (auto& [key, process] : processes_) {
    if (process->id() == *id) return process.get();
  }
  return Error::make("no process " + *id, "not_found");
}

Answer Supervisor::Loop::read(const Json& body) {
  auto found = process(body);
  if (!found) return refusal(found.error().message);
  constexpr int64_t kLargest = INT64_MAX;
  auto since = optional_integer(body, "since", 0, kLargest);
  if (!since) return refusal(since.error().message);
  auto tail = optional_integer(body, "tail", 0, kLargest);
  if (!tail) return refusal(tail.error().message);
  auto max = required_integer(body, "max", 0, kLargest);
  if (!max) return refusal(max.error().message);
  if (*since && *tail) return refusal("`since` and `tail` cannot be used together");
  Background& process = **found;
  // What the process wrote just before the request is in its pipe still.
  process.read_output(kOutputPerWakeup);
  const size_t limit = static_cast<size_t>(std::min<int64_t>(*max, kMaxPayloadBytes));
  // Neither: everything held, which is reading since the very first byte.
  const OutputRing::Slice slice = *tail ? process.ring().tail(static_cast<uint64_t>(**tail), limit)
                                        : process.ring().since(since->value_or(0), limit);
  return Answer{{{"ok", true},
                 {"process", process.to_json()},
                 {"start", slice.start},
                 {"next", slice.next},
                 {"dropped", slice.dropped}},
                slice.data,
                {}};
}

Answer Supervisor::Loop::write(const Frame& request) {
  auto found = process(request.body);
  if (!found) return refusal(found.error().message);
  auto close = optional_bool(request.body, "close", false);
  if (!close) return refusal(close.error().message);
  auto written = (*found)->write_input(request.payload, *close);
  if (!written) return refusal(written.error().message);
  return Answer{{{"ok", true}, {"written", *written}}, {}, {}};
}

Answer Supervisor::Loop::signal(const Json& body) {
  auto found = process(body);
  if (!found) return refusal(found.error().message);
  auto number = required_integer(body, "signal", 1, 64);
  if (!number) return refusal(number.error().message);
  Background& process = **found;
  if (!process.running()) return refusal("process " + process.id() + " has exited");
  if (::kill(-process.child().pid(), static_cast<int>(*number)) != 0) {
    return refusal("cannot signal " + process.id() + ": " + std::strerror(errno));
  }
  return Answer{{{"ok", true}, {"process", process.to_json()}}, {}, {}};
}

Answer Supervisor::Loop::forget(const Json& body) {
  auto found = process(body);
  if (!found) return refusal(found.error().message);
  if ((*found)->running()) return refusal("process " + (*found)->id() + " is still running");
  processes_.erase((*found)->number());
  return Answer{{{"ok", true}}, {}, {}};
}

Answer Supervisor::Loop::connect(const Json& body) {
  auto port = required_integer(body, "port", 1, 65535);
  if (!port) return refusal(port.error().message);
  auto connected = connect_loopback(static_cast<uint16_t>(*port), kConnectLimit);
  if (!connected) return refusal(connected.error().message);
  Answer reply{{{"ok", true}}, {}, {}};
  reply.fds.push_back(std::move(*connected));
  return reply;
}

Answer Supervisor::Loop::listeners() {
  return Answer{{{"ok", true}, {"ports", listening_ports()}}, {}, {}};
}

Supervisor::Supervisor(UniqueFd listener, SupervisorOptions options)
    : loop_(std::make_unique<Loop>(std::move(listener), std::move(options))),
      stop_event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Supervisor::~Supervisor() = default;

int Supervisor::run() {
  if (!stop_event_) return 1;
  return loop_->run(stop_event_.get());
}

void Supervisor::stop() {
  const uint64_t one = 1;
  (void)!::write(stop_event_.get(), &one, sizeof one);
}

}  // namespace benchtop::supervisor
