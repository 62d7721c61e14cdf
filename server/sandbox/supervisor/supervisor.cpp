#include "server/sandbox/supervisor/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

#include "server/sandbox/supervisor/answer.h"
#include "server/sandbox/supervisor/child.h"
#include "server/sandbox/supervisor/listening_ports.h"
#include "server/sandbox/supervisor/process_table.h"
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

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::string errno_text(const char* call) {
  return std::string(call) + ": " + std::strerror(errno);
}

}  // namespace

class Supervisor::Loop {
 public:
  Loop(UniqueFd listener, SupervisorOptions options)
      : options_(std::move(options)),
        listener_(std::move(listener)),
        processes_(options_.ring_bytes) {}

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

  Answer dispatch(const std::string& op, Frame& request);
  void run_command(UniqueFd connection, Frame& request);
  Answer start(Frame& request);

  void run_connection_event(uint64_t key, short revents);
  void run_exited(std::map<uint64_t, RunCommand>::iterator run);
  void reap_any();
  void log(const std::string& message) const;

  const SupervisorOptions options_;
  UniqueFd listener_;
  UniqueFd child_signals_;  // signalfd of SIGCHLD, with reap_orphans
  std::optional<Clock::time_point> accept_paused_until_;
  std::optional<Clock::time_point> next_workspace_check_;
  // The workspace still exists (checked every few seconds when end_with_workspace is set).
  bool workspace_exists() const;
  std::map<uint64_t, Pending> pending_;
  std::map<uint64_t, RunCommand> runs_;
  // The last request other than hello (which is how any server checks the supervisor is alive):
  // what every benchtop on the data directory needs to tell an idle sandbox from a busy one.
  Clock::time_point last_request_ = Clock::now();
  ProcessTable processes_;
  uint64_t next_connection_ = 1;
  std::vector<pollfd> poll_fds_;
  std::vector<Watched> watched_;
};

void Supervisor::Loop::log(const std::string& message) const {
  if (options_.log_fd < 0) return;
  // One line per error, whatever a request put in the message.
  std::string line = "benchtop-sandbox: " + message;
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  line += '\n';
  (void)write_without_sigpipe(options_.log_fd, line.data(), line.size());
}

void Supervisor::Loop::watch(int fd, short events, Source source, uint64_t key) {
  if (fd < 0) return;
  poll_fds_.push_back(pollfd{fd, events, 0});
  watched_.push_back(Watched{source, key});
}

int Supervisor::Loop::poll_timeout() const {
  std::optional<Clock::time_point> next = accept_paused_until_;
  if (next_workspace_check_ && (!next || *next_workspace_check_ < *next)) {
    next = next_workspace_check_;
  }
  for (const auto& [key, pending] : pending_) {
    const auto expiry = pending.accepted + kIdleLimit;
    if (!next || expiry < *next) next = expiry;
  }
  if (!next) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 60'000));
}

bool Supervisor::Loop::workspace_exists() const {
  struct stat st {};
  // A directory removed on the host stays reachable through the bind mount, with no links left.
  return ::stat(options_.workspace_root.c_str(), &st) == 0 && st.st_nlink > 0;
}

int Supervisor::Loop::run(int stop_event) {
  set_nonblocking(listener_.get());
  if (options_.end_with_workspace) next_workspace_check_ = Clock::now();
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
    if (next_workspace_check_ && Clock::now() >= *next_workspace_check_) {
      if (!workspace_exists()) {
        log("the workspace was deleted; ending the sandbox");
        return shut_down(0);
      }
      next_workspace_check_ = Clock::now() + options_.workspace_check_interval;
    }
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
    for (const auto& [key, process] : processes_.processes()) {
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
          if (Background* process = processes_.find(key)) process->read_output();
          break;
        case Source::kInput:
          if (Background* process = processes_.find(key)) {
            if (auto flushed = process->flush_input(); !flushed) log(flushed.error().message);
          }
          break;
        case Source::kProcessExit:
          if (Background* process = processes_.find(key); process && process->child().try_reap()) {
            processes_.exited(*process);
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
  processes_.kill_all();
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
  // Questions about the sandbox are not activity: a preview watch asks for its listeners every
  // second, and must not keep an unused sandbox from idle suspend.
  if (name != "hello" && name != "listeners") last_request_ = Clock::now();
  if (name == "run") {
    run_command(std::move(connection), *request);
    return;
  }
  const Answer reply = dispatch(name, *request);
  if (reply.body.value("ok", false) == false) log(name + ": " + reply.body.value("error", ""));
  answer(connection.get(), reply);
}

Answer Supervisor::Loop::dispatch(const std::string& op, Frame& request) {
  const Json& body = request.body;
  if (op == "hello") {
    const auto idle =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_request_);
    return success({{"pid", ::getpid()},
                    {"version", kProtocolVersion},
                    {"runs", runs_.size()},
                    {"idle_ms", idle.count()}});
  }
  if (op == "start") return start(request);
  if (op == "list") return processes_.list();
  if (op == "read") return processes_.read(body);
  if (op == "write") return processes_.write(request);
  if (op == "signal") return processes_.signal(body);
  if (op == "forget") return processes_.forget(body);
  if (op == "listeners") return success({{"ports", listening_ports()}});
  if (op == "connect") {
    auto port = required_integer(body, "port", 1, 65535);
    if (!port) return refusal(port.error().message);
    auto connected = connect_loopback(static_cast<uint16_t>(*port), kConnectLimit);
    if (!connected) return refusal(connected.error().message);
    Answer answer = success();
    answer.fds.push_back(std::move(*connected));
    return answer;
  }
  return refusal("unknown op \"" + op + "\"");
}

Answer Supervisor::Loop::start(Frame& request) {
  auto spec = command_spec(request.body, options_.workspace_root, options_.shell);
  if (!spec) return refusal(spec.error().message);
  return processes_.start(std::move(*spec), request);
}

void Supervisor::Loop::run_command(UniqueFd connection, Frame& request) {
  auto spec = command_spec(request.body, options_.workspace_root, options_.shell);
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
    // Otherwise one of the table's, or an orphan of the sandbox, reaped so it leaves no zombie.
    processes_.reaped(pid, status);
  }
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
