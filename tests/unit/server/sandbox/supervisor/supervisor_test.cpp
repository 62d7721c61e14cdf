#include "server/sandbox/supervisor/supervisor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/sandbox/supervisor/protocol.h"
#include "server/sandbox/supervisor/wire.h"
#include "tests/support/temp_dir.h"

namespace benchtop::supervisor {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr auto kWait = 10s;

Clock::time_point deadline() {
  return Clock::now() + kWait;
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe() {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

UniqueFd open_null(int flags) {
  return UniqueFd(::open("/dev/null", flags | O_CLOEXEC));
}

// Everything written to `fd` until every writer has closed it (bounded).
std::string read_to_end(int fd) {
  std::string text;
  const auto until = deadline();
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) {
      ADD_FAILURE() << "the pipe was not closed in time; read so far: " << text;
      return text;
    }
    pollfd entry{fd, POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return text;
    text.append(buffer, static_cast<size_t>(n));
  }
}

// Waits until the process `pid` has exited; false when it has not in time.
bool wait_for_exit(pid_t pid) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return errno == ESRCH;
  pollfd entry{pidfd.get(), POLLIN, 0};
  return ::poll(&entry, 1, static_cast<int>(kWait / 1ms)) == 1;
}

bool pid_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

UniqueFd listen_at(const std::filesystem::path& path) {
  UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  EXPECT_EQ(::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::listen(socket.get(), 64), 0);
  return socket;
}

UniqueFd dial(const std::filesystem::path& path) {
  UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  EXPECT_EQ(::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0)
      << std::strerror(errno);
  return socket;
}

// The next frame on `connection`; a transport failure becomes an answer that fails any check of
// "ok" (with the failure's code in "transport").
Frame receive(int connection) {
  auto frame = receive_frame(connection, deadline());
  if (!frame) {
    Frame failed;
    failed.body = {
        {"ok", false}, {"transport", frame.error().code}, {"error", frame.error().message}};
    return failed;
  }
  return std::move(frame).value();
}

UniqueFd tcp_listener(uint16_t& port) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::listen(listener.get(), 4), 0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
  port = ntohs(address.sin_port);
  return listener;
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(workspace_);
    launch({});
  }
  void TearDown() override { shut_down(); }

  // Runs a supervisor on a thread; `options.workspace_root` is always the test's workspace.
  void launch(SupervisorOptions options) {
    shut_down();
    options.workspace_root = workspace_.string();
    std::filesystem::remove(socket_path_);
    supervisor_ = std::make_unique<Supervisor>(listen_at(socket_path_), std::move(options));
    thread_ = std::thread([this] { exit_code_ = supervisor_->run(); });
  }

  void shut_down() {
    if (!supervisor_) return;
    supervisor_->stop();
    thread_.join();
    supervisor_.reset();
  }

  // Sends a request on a new connection, which is returned (its answers are yet to be read).
  UniqueFd send(const Json& request, std::string_view payload = {}, std::vector<int> fds = {}) {
    UniqueFd connection = dial(socket_path_);
    auto sent = send_frame(connection.get(), request, payload, fds, deadline());
    EXPECT_TRUE(static_cast<bool>(sent)) << sent.error().message;
    return connection;
  }

  // One request, one answer.
  Frame call(const Json& request, std::string_view payload = {}, std::vector<int> fds = {}) {
    UniqueFd connection = send(request, payload, std::move(fds));
    return receive(connection.get());
  }

  Json start(const std::string& command, const std::string& cwd = "") {
    Frame answer = call({{"op", "start"},
                         {"command", command},
                         {"cwd", cwd},
                         {"env", {{"PATH", "/usr/bin:/bin"}}},
                         {"cgroup", "cg-test"}});
    EXPECT_EQ(answer.body["ok"], true) << answer.body.dump();
    return answer.body["process"];
  }

  Json find(const std::string& id) {
    const Frame answer = call({{"op", "list"}});
    for (const auto& process : answer.body["processes"]) {
      if (process["id"] == id) return process;
    }
    return nullptr;
  }

  // Asks until the process is listed as exited (each answer is a full round trip of the loop).
  Json wait_exited(const std::string& id) {
    const auto until = deadline();
    while (Clock::now() < until) {
      Json process = find(id);
      if (process.is_object() && process["running"] == false) return process;
    }
    ADD_FAILURE() << id << " did not exit in time";
    return nullptr;
  }

  Frame read(const Json& request) {
    Json body = request;
    body["op"] = "read";
    return call(body);
  }

  // A `run` with its stdio on /dev/null and the given stdout; returns the connection, after its
  // first answer (`pid`).
  UniqueFd run(const std::string& command, int stdout_fd, pid_t& pid) {
    UniqueFd null_in = open_null(O_RDONLY);
    UniqueFd null_out = open_null(O_WRONLY);
    const int out = stdout_fd >= 0 ? stdout_fd : null_out.get();
    UniqueFd connection = send(
        {{"op", "run"}, {"command", command}, {"cwd", ""}, {"env", {{"PATH", "/usr/bin:/bin"}}}},
        {}, {null_in.get(), out, null_out.get()});
    const Frame started = receive(connection.get());
    EXPECT_EQ(started.body["ok"], true) << started.body.dump();
    pid = started.body.value("pid", -1);
    return connection;
  }

  testing::TempDir dir_;
  std::filesystem::path workspace_ = dir_ / "workspace";
  std::filesystem::path socket_path_ = dir_ / "supervisor.sock";
  std::unique_ptr<Supervisor> supervisor_;
  std::thread thread_;
  int exit_code_ = -1;
};

TEST_F(SupervisorTest, HelloNamesItsPidAndVersion) {
  const Frame answer = call({{"op", "hello"}});
  EXPECT_EQ(answer.body["ok"], true);
  EXPECT_EQ(answer.body["pid"], ::getpid());
  EXPECT_EQ(answer.body["version"], kProtocolVersion);
}

TEST_F(SupervisorTest, RunPutsOutputOnTheCallersPipesAndReportsTheExitCode) {
  Pipe out = make_pipe(), err = make_pipe();
  UniqueFd null_in = open_null(O_RDONLY);
  UniqueFd connection = send({{"op", "run"},
                              {"command", "echo hi; echo err >&2; exit 3"},
                              {"cwd", ""},
                              {"env", Json::object()}},
                             {}, {null_in.get(), out.write.get(), err.write.get()});
  out.write.reset();
  err.write.reset();
  const Frame started = receive(connection.get());
  ASSERT_EQ(started.body["ok"], true) << started.body.dump();
  EXPECT_GT(started.body["pid"].get<int>(), 0);
  EXPECT_EQ(read_to_end(out.read.get()), "hi\n");
  EXPECT_EQ(read_to_end(err.read.get()), "err\n");
  const Frame exited = receive(connection.get());
  EXPECT_EQ(exited.body, (Json{{"exit", {{"code", 3}}}}));
  // The exit is the last frame: the supervisor closes the connection after it.
  EXPECT_EQ(receive(connection.get()).body["transport"], "closed");
}

TEST_F(SupervisorTest, RunGetsExactlyTheGivenEnvironmentAndReadsItsStdin) {
  Pipe in = make_pipe(), out = make_pipe();
  ASSERT_EQ(::write(in.write.get(), "from stdin\n", 11), 11);
  in.write.reset();
  UniqueFd connection = send({{"op", "run"},
                              {"command", "read line; echo \"$line|$GREETING|$HOME\""},
                              {"cwd", ""},
                              {"env", {{"GREETING", "hello there"}}}},
                             {}, {in.read.get(), out.write.get(), out.write.get()});
  out.write.reset();
  ASSERT_EQ(receive(connection.get()).body["ok"], true);
  EXPECT_EQ(read_to_end(out.read.get()), "from stdin|hello there|\n");
  EXPECT_EQ(receive(connection.get()).body, (Json{{"exit", {{"code", 0}}}}));
}

TEST_F(SupervisorTest, RunKilledBySignalReportsTheSignal) {
  pid_t pid = -1;
  UniqueFd connection = run("kill -9 $$", -1, pid);
  EXPECT_EQ(receive(connection.get()).body, (Json{{"exit", {{"signal", 9}}}}));
}

TEST_F(SupervisorTest, ClosingARunConnectionKillsTheCommand) {
  pid_t pid = -1;
  UniqueFd connection = run("sleep 1000", -1, pid);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(pid_exists(pid));
  connection.reset();
  ASSERT_TRUE(wait_for_exit(pid));
  // Exited is not enough: the supervisor also reaps it, so the pid is gone altogether.
  const auto until = deadline();
  while (pid_exists(pid) && Clock::now() < until) call({{"op", "hello"}});
  EXPECT_FALSE(pid_exists(pid));
}

TEST_F(SupervisorTest, RunWritesZeroToEachCgroupProcsDescriptorFirst) {
  const auto first = dir_ / "cgroup-a", second = dir_ / "cgroup-b";
  UniqueFd a(::open(first.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  UniqueFd b(::open(second.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  UniqueFd null_in = open_null(O_RDONLY), null_out = open_null(O_WRONLY);
  UniqueFd connection =
      send({{"op", "run"}, {"command", "exit 0"}, {"cwd", ""}, {"env", Json::object()}}, {},
           {null_in.get(), null_out.get(), null_out.get(), a.get(), b.get()});
  ASSERT_EQ(receive(connection.get()).body["ok"], true);
  EXPECT_EQ(receive(connection.get()).body, (Json{{"exit", {{"code", 0}}}}));
  EXPECT_EQ(testing::read_file(first), "0");
  EXPECT_EQ(testing::read_file(second), "0");
}

TEST_F(SupervisorTest, ACgroupWriteThatFailsFailsTheRun) {
  testing::write_file(dir_ / "read-only", "");
  UniqueFd read_only(::open((dir_ / "read-only").c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd null_in = open_null(O_RDONLY), null_out = open_null(O_WRONLY);
  const Frame answer =
      call({{"op", "run"}, {"command", "exit 0"}, {"cwd", ""}, {"env", Json::object()}}, {},
           {null_in.get(), null_out.get(), null_out.get(), read_only.get()});
  EXPECT_EQ(answer.body["ok"], false);
  EXPECT_NE(answer.body.value("error", "").find("cgroup"), std::string::npos) << answer.body.dump();
}

TEST_F(SupervisorTest, AMissingWorkingDirectoryIsAnErrorNotAProcess) {
  UniqueFd null_in = open_null(O_RDONLY), null_out = open_null(O_WRONLY);
  const Frame answer =
      call({{"op", "run"}, {"command", "exit 0"}, {"cwd", "no/such/dir"}, {"env", Json::object()}},
           {}, {null_in.get(), null_out.get(), null_out.get()});
  EXPECT_EQ(answer.body["ok"], false);
  EXPECT_NE(answer.body.value("error", "").find("no/such/dir"), std::string::npos)
      << answer.body.dump();
  const Frame started = call({{"op", "start"},
                              {"command", "exit 0"},
                              {"cwd", "no/such/dir"},
                              {"env", Json::object()},
                              {"cgroup", "cg"}});
  EXPECT_EQ(started.body["ok"], false);
  EXPECT_EQ(call({{"op", "list"}}).body["processes"], Json::array());
}

TEST_F(SupervisorTest, AnExecFailureIsAnErrorNotAProcess) {
  SupervisorOptions options;
  options.shell = (dir_ / "no-such-shell").string();
  launch(options);
  UniqueFd null_in = open_null(O_RDONLY), null_out = open_null(O_WRONLY);
  const Frame answer =
      call({{"op", "run"}, {"command", "exit 0"}, {"cwd", ""}, {"env", Json::object()}}, {},
           {null_in.get(), null_out.get(), null_out.get()});
  EXPECT_EQ(answer.body["ok"], false);
  EXPECT_NE(answer.body.value("error", "").find("cannot run"), std::string::npos)
      << answer.body.dump();
  EXPECT_NE(answer.body.value("error", "").find(std::strerror(ENOENT)), std::string::npos);
}

TEST_F(SupervisorTest, CommandsRunInTheWorkspaceAndSeeEachOthersFiles) {
  std::filesystem::create_directories(workspace_ / "sub");
  const Json writer = start("echo shared > note.txt");
  wait_exited(writer["id"]);
  EXPECT_EQ(testing::read_file(workspace_ / "note.txt"), "shared\n");

  Pipe out = make_pipe();
  pid_t pid = -1;
  UniqueFd connection = run("cat note.txt; cd sub && pwd", out.write.get(), pid);
  out.write.reset();
  EXPECT_EQ(read_to_end(out.read.get()), "shared\n" + (workspace_ / "sub").string() + "\n");

  const Json in_sub = start("pwd > where.txt", "sub");
  wait_exited(in_sub["id"]);
  EXPECT_EQ(testing::read_file(workspace_ / "sub" / "where.txt"),
            (workspace_ / "sub").string() + "\n");
}

TEST_F(SupervisorTest, StartListsTheProcessAndKeepsItsOutput) {
  const Json started = start("echo out; echo err >&2");
  EXPECT_EQ(started["id"], "proc-1");
  EXPECT_EQ(started["command"], "echo out; echo err >&2");
  EXPECT_EQ(started["cgroup"], "cg-test");
  EXPECT_GT(started["pid"].get<int>(), 0);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_LE(std::abs(started["started_ms"].get<int64_t>() - now_ms), 60'000);

  const Json exited = wait_exited("proc-1");
  EXPECT_EQ(exited["exit_code"], 0);
  EXPECT_FALSE(exited.contains("signal"));
  EXPECT_EQ(exited["output_bytes"], 8);
  const Frame output = read({{"id", "proc-1"}, {"max", 1000}});
  ASSERT_EQ(output.body["ok"], true) << output.body.dump();
  EXPECT_EQ(output.payload, "out\nerr\n");
  EXPECT_EQ(output.body["process"]["id"], "proc-1");

  EXPECT_EQ(start("true")["id"], "proc-2");
  const Frame listed = call({{"op", "list"}});
  ASSERT_EQ(listed.body["processes"].size(), 2u);
  EXPECT_EQ(listed.body["processes"][0]["id"], "proc-1");
  EXPECT_EQ(listed.body["processes"][1]["id"], "proc-2");
}

TEST_F(SupervisorTest, ReadPagesThroughASmallRingByOffset) {
  SupervisorOptions options;
  options.ring_bytes = 64;
  launch(options);
  std::string expected;
  for (int i = 1; i <= 40; ++i) expected += std::to_string(i) + "\n";
  ASSERT_EQ(expected.size(), 111u);
  start("seq 1 40");
  const Json exited = wait_exited("proc-1");
  EXPECT_EQ(exited["output_bytes"], 111);

  Frame all = read({{"id", "proc-1"}, {"since", 0}, {"max", 1000}});
  ASSERT_EQ(all.body["ok"], true) << all.body.dump();
  EXPECT_EQ(all.payload, expected.substr(47));
  EXPECT_EQ(all.body["start"], 47);
  EXPECT_EQ(all.body["next"], 111);
  EXPECT_EQ(all.body["dropped"], 47);

  Frame page = read({{"id", "proc-1"}, {"since", 100}, {"max", 5}});
  EXPECT_EQ(page.payload, expected.substr(100, 5));
  EXPECT_EQ(page.body["start"], 100);
  EXPECT_EQ(page.body["next"], 105);
  EXPECT_EQ(page.body["dropped"], 0);

  Frame tail = read({{"id", "proc-1"}, {"tail", 10}, {"max", 1000}});
  EXPECT_EQ(tail.payload, expected.substr(101));
  EXPECT_EQ(tail.body["start"], 101);
  EXPECT_EQ(tail.body["next"], 111);
  EXPECT_EQ(tail.body["dropped"], 0);

  Frame tail_page = read({{"id", "proc-1"}, {"tail", 10}, {"max", 4}});
  EXPECT_EQ(tail_page.payload, expected.substr(101, 4));
  EXPECT_EQ(tail_page.body["next"], 105);

  Frame held = read({{"id", "proc-1"}, {"max", 1000}});
  EXPECT_EQ(held.payload, expected.substr(47));
  EXPECT_EQ(held.body["start"], 47);
  EXPECT_EQ(held.body["dropped"], 47);

  Frame caught_up = read({{"id", "proc-1"}, {"since", 111}, {"max", 1000}});
  EXPECT_EQ(caught_up.payload, "");
  EXPECT_EQ(caught_up.body["start"], 111);
  EXPECT_EQ(caught_up.body["next"], 111);

  EXPECT_EQ(read({{"id", "proc-1"}}).body["ok"], false);  // `max` is required
  EXPECT_EQ(read({{"id", "proc-1"}, {"since", 1}, {"tail", 1}, {"max", 9}}).body["ok"], false);
  EXPECT_EQ(read({{"id", "proc-1"}, {"since", -1}, {"max", 9}}).body["ok"], false);
  EXPECT_EQ(read({{"id", "proc-9"}, {"max", 9}}).body["ok"], false);
}

TEST_F(SupervisorTest, WriteReachesStdinAndClosingItEndsCat) {
  start("cat");
  Frame written = call({{"op", "write"}, {"id", "proc-1"}}, "hello\n");
  ASSERT_EQ(written.body["ok"], true) << written.body.dump();
  EXPECT_EQ(written.body["written"], 6);
  std::string echoed;
  const auto until = deadline();
  while (echoed != "hello\n" && Clock::now() < until) {
    echoed = read({{"id", "proc-1"}, {"max", 100}}).payload;
  }
  EXPECT_EQ(echoed, "hello\n");

  ASSERT_EQ(call({{"op", "write"}, {"id", "proc-1"}, {"close", true}}).body["ok"], true);
  EXPECT_EQ(call({{"op", "write"}, {"id", "proc-1"}}, "after close").body["ok"], false);
  const Json exited = wait_exited("proc-1");
  EXPECT_EQ(exited["exit_code"], 0);
  EXPECT_EQ(call({{"op", "write"}, {"id", "proc-1"}}, "late").body["ok"], false);
}

TEST_F(SupervisorTest, InputThePipeCannotTakeIsQueuedFlushedAndThenClosed) {
  start("cat > copy.bin");
  std::string input(600 * 1024, '\0');
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<char>(i * 7 % 251);
  Frame written = call({{"op", "write"}, {"id", "proc-1"}, {"close", true}}, input);
  ASSERT_EQ(written.body["ok"], true) << written.body.dump();
  EXPECT_EQ(written.body["written"], input.size());
  EXPECT_EQ(wait_exited("proc-1")["exit_code"], 0);
  EXPECT_TRUE(testing::read_file(workspace_ / "copy.bin") == input);
}

TEST_F(SupervisorTest, QueuedInputIsBounded) {
  start("sleep 1000");  // never reads its stdin
  const std::string chunk(200 * 1024, 'x');
  ASSERT_EQ(call({{"op", "write"}, {"id", "proc-1"}}, chunk).body["ok"], true);
  // A pipe takes 64 KiB: about 136 KiB are queued now, and 900 KiB more would pass the bound.
  const Frame refused = call({{"op", "write"}, {"id", "proc-1"}}, std::string(900 * 1024, 'y'));
  EXPECT_EQ(refused.body["ok"], false);
  // Nothing of the refused write was queued, so what fits still does.
  EXPECT_EQ(call({{"op", "write"}, {"id", "proc-1"}}, std::string(800 * 1024, 'z')).body["ok"],
            true);
  ASSERT_EQ(call({{"op", "signal"}, {"id", "proc-1"}, {"signal", 9}}).body["ok"], true);
  EXPECT_EQ(wait_exited("proc-1")["signal"], 9);
}

TEST_F(SupervisorTest, SignalReachesTheProcessGroup) {
  // The shell and its `sleep` child share the group: both must go for the command to end.
  start("sleep 1000; echo not reached");
  EXPECT_EQ(call({{"op", "signal"}, {"id", "proc-1"}, {"signal", 0}}).body["ok"], false);
  EXPECT_EQ(call({{"op", "signal"}, {"id", "proc-1"}, {"signal", 65}}).body["ok"], false);
  EXPECT_EQ(call({{"op", "signal"}, {"id", "proc-1"}}).body["ok"], false);
  const Frame signalled = call({{"op", "signal"}, {"id", "proc-1"}, {"signal", 15}});
  ASSERT_EQ(signalled.body["ok"], true) << signalled.body.dump();
  EXPECT_EQ(signalled.body["process"]["id"], "proc-1");
  const Json exited = wait_exited("proc-1");
  EXPECT_EQ(exited["signal"], 15);
  EXPECT_FALSE(exited.contains("exit_code"));
  EXPECT_EQ(read({{"id", "proc-1"}, {"max", 100}}).payload, "");
  EXPECT_EQ(call({{"op", "signal"}, {"id", "proc-1"}, {"signal", 15}}).body["ok"], false);
}

TEST_F(SupervisorTest, ForgetDropsOnlyExitedProcesses) {
  start("sleep 1000");
  EXPECT_EQ(call({{"op", "forget"}, {"id", "proc-1"}}).body["ok"], false);
  ASSERT_EQ(call({{"op", "signal"}, {"id", "proc-1"}, {"signal", 9}}).body["ok"], true);
  wait_exited("proc-1");
  EXPECT_EQ(call({{"op", "forget"}, {"id", "proc-1"}}).body["ok"], true);
  EXPECT_TRUE(find("proc-1").is_null());
  EXPECT_EQ(call({{"op", "forget"}, {"id", "proc-1"}}).body["ok"], false);
  EXPECT_EQ(call({{"op", "forget"}}).body["ok"], false);
}

TEST_F(SupervisorTest, KeepsOnlyTheLastExitedProcesses) {
  const size_t count = kKeptExited + 2;
  for (size_t i = 1; i <= count; ++i) {
    const Json started = start("exit 0");
    ASSERT_EQ(started["id"], "proc-" + std::to_string(i));
    wait_exited(started["id"]);
  }
  const Json processes = call({{"op", "list"}}).body["processes"];
  ASSERT_EQ(processes.size(), kKeptExited);
  EXPECT_EQ(processes.front()["id"], "proc-3");
  EXPECT_EQ(processes.back()["id"], "proc-" + std::to_string(count));
}

TEST_F(SupervisorTest, RunningProcessesAreKeptWhateverTheExitedCount) {
  start("sleep 1000");
  for (size_t i = 0; i < kKeptExited + 1; ++i) wait_exited(start("exit 0")["id"]);
  const Json processes = call({{"op", "list"}}).body["processes"];
  ASSERT_EQ(processes.size(), kKeptExited + 1);
  EXPECT_EQ(processes.front()["id"], "proc-1");
  EXPECT_EQ(processes.front()["running"], true);
}

TEST_F(SupervisorTest, ConnectHandsBackATcpConnectionToALoopbackListener) {
  uint16_t port = 0;
  UniqueFd listener = tcp_listener(port);
  Frame answer = call({{"op", "connect"}, {"port", port}});
  ASSERT_EQ(answer.body["ok"], true) << answer.body.dump();
  ASSERT_EQ(answer.fds.size(), 1u);
  pollfd entry{listener.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&entry, 1, static_cast<int>(kWait / 1ms)), 1);
  UniqueFd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted.valid());
  ASSERT_EQ(::send(answer.fds[0].get(), "ping", 4, MSG_NOSIGNAL), 4);
  char got[4];
  ASSERT_EQ(::recv(accepted.get(), got, sizeof got, MSG_WAITALL), 4);
  EXPECT_EQ(std::string(got, 4), "ping");
  ASSERT_EQ(::send(accepted.get(), "pong", 4, MSG_NOSIGNAL), 4);
  ASSERT_EQ(::recv(answer.fds[0].get(), got, sizeof got, MSG_WAITALL), 4);
  EXPECT_EQ(std::string(got, 4), "pong");
}

TEST_F(SupervisorTest, ConnectToAClosedPortOrABadPortIsAnError) {
  uint16_t port = 0;
  tcp_listener(port).reset();  // bound, then closed: nothing listens there now
  const Frame refused = call({{"op", "connect"}, {"port", port}});
  EXPECT_EQ(refused.body["ok"], false);
  EXPECT_TRUE(refused.fds.empty());
  EXPECT_NE(refused.body.value("error", "").find(std::to_string(port)), std::string::npos);
  EXPECT_EQ(call({{"op", "connect"}, {"port", 0}}).body["ok"], false);
  EXPECT_EQ(call({{"op", "connect"}, {"port", 65536}}).body["ok"], false);
  EXPECT_EQ(call({{"op", "connect"}, {"port", "80"}}).body["ok"], false);
}

TEST_F(SupervisorTest, ListenersIncludeALoopbackListener) {
  uint16_t port = 0;
  UniqueFd listener = tcp_listener(port);
  const Frame answer = call({{"op", "listeners"}});
  ASSERT_EQ(answer.body["ok"], true);
  const auto ports = answer.body["ports"].get<std::vector<int>>();
  EXPECT_NE(std::find(ports.begin(), ports.end(), port), ports.end());
  EXPECT_TRUE(std::is_sorted(ports.begin(), ports.end()));
}

TEST_F(SupervisorTest, MalformedRequestsAreRefusedAndServingGoesOn) {
  {
    // Not a JSON object: the frame is broken, and the connection ends without an answer.
    UniqueFd connection = dial(socket_path_);
    const char frame[] = {2, 0, 0, 0, 0, 0, 0, 0, '[', ']'};
    ASSERT_EQ(::send(connection.get(), frame, sizeof frame, MSG_NOSIGNAL), 10);
    EXPECT_EQ(receive(connection.get()).body["transport"], "closed");
  }
  {
    UniqueFd connection = dial(socket_path_);
    const char frame[] = {7, 0, 0, 0, 0, 0, 0, 0, '{', '"', 'o', 'p', '"', ':', '}'};
    ASSERT_EQ(::send(connection.get(), frame, sizeof frame, MSG_NOSIGNAL), 15);
    EXPECT_EQ(receive(connection.get()).body["transport"], "closed");
  }
  {
    UniqueFd connection = send({{"op", "reboot"}});
    const Frame answer = receive(connection.get());
    EXPECT_EQ(answer.body["ok"], false);
    EXPECT_NE(answer.body.value("error", "").find("reboot"), std::string::npos);
    EXPECT_EQ(receive(connection.get()).body["transport"], "closed");
  }
  const Json bad_requests[] = {
      {{"no-op", 1}},
      {{"op", 7}},
      {{"op", "run"}},
      {{"op", "run"}, {"command", "true"}, {"cwd", ""}, {"env", Json::object()}},  // no stdio
      {{"op", "start"}, {"command", "true"}, {"cwd", ""}, {"env", Json::array()}, {"cgroup", ""}},
      {{"op", "start"}, {"command", "true"}, {"cwd", ""}, {"env", {{"A", 1}}}, {"cgroup", ""}},
      {{"op", "start"}, {"command", "true"}, {"cwd", ""}, {"env", Json::object()}},  // no cgroup
      {{"op", "start"},
       {"command", "true"},
       {"cwd", "/etc"},
       {"env", Json::object()},
       {"cgroup", ""}},
      {{"op", "start"}, {"command", 5}, {"cwd", ""}, {"env", Json::object()}, {"cgroup", ""}},
      {{"op", "read"}, {"max", 1}},
      {{"op", "write"}, {"id", 1}},
      {{"op", "signal"}, {"id", "proc-1"}, {"signal", "9"}},
  };
  for (const Json& request : bad_requests) {
    const Frame answer = call(request);
    EXPECT_EQ(answer.body["ok"], false) << request.dump();
    EXPECT_TRUE(answer.body["error"].is_string()) << request.dump();
  }
  EXPECT_EQ(call({{"op", "list"}}).body["processes"], Json::array());
  EXPECT_EQ(call({{"op", "hello"}}).body["ok"], true);
}

TEST_F(SupervisorTest, ASilentClientDoesNotHoldUpOthers) {
  UniqueFd silent = dial(socket_path_);
  UniqueFd half = dial(socket_path_);
  const char partial[] = {10, 0, 0};  // a header that never ends
  ASSERT_EQ(::send(half.get(), partial, sizeof partial, MSG_NOSIGNAL), 3);
  EXPECT_EQ(call({{"op", "hello"}}).body["ok"], true);
  EXPECT_EQ(receive(half.get()).body["transport"], "closed");
  EXPECT_EQ(call({{"op", "hello"}}).body["ok"], true);
}

TEST_F(SupervisorTest, StoppingKillsEveryCommand) {
  start("sleep 1000");
  const int background = find("proc-1")["pid"].get<int>();
  pid_t foreground = -1;
  UniqueFd connection = run("sleep 1000", -1, foreground);
  ASSERT_GT(foreground, 0);
  ASSERT_TRUE(pid_exists(background));
  ASSERT_TRUE(pid_exists(foreground));
  shut_down();
  EXPECT_EQ(exit_code_, 0);
  // run() returns after reaping them: no wait is needed.
  EXPECT_FALSE(pid_exists(background));
  EXPECT_FALSE(pid_exists(foreground));
  // The run's caller gets no exit frame, only the end of the connection.
  EXPECT_EQ(receive(connection.get()).body["transport"], "closed");
}

TEST_F(SupervisorTest, ADeletedWorkspaceEndsTheSandbox) {
  shut_down();
  SupervisorOptions options;
  options.end_with_workspace = true;
  options.workspace_check_interval = std::chrono::milliseconds(20);
  options.workspace_root = workspace_.string();
  std::filesystem::remove(socket_path_);
  Supervisor supervisor(listen_at(socket_path_), options);
  auto ended = std::async(std::launch::async, [&supervisor] { return supervisor.run(); });
  start("sleep 1000");
  const int background = find("proc-1")["pid"].get<int>();
  // The project is deleted (or its data directory removed): nothing would end the sandbox else.
  std::filesystem::remove_all(workspace_);
  if (ended.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "the supervisor outlived its workspace";
    supervisor.stop();
  }
  EXPECT_EQ(ended.get(), 0);
  EXPECT_FALSE(pid_exists(background));
}

TEST_F(SupervisorTest, AFailingListenerEndsTheLoopWithAnError) {
  shut_down();
  // A socket that is not listening: polling it reports a hang-up at once.
  UniqueFd not_listening(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  Supervisor supervisor(std::move(not_listening), SupervisorOptions{});
  EXPECT_EQ(supervisor.run(), 1);
}

// The program, started the way benchtop starts it: the listening socket as an inherited
// descriptor.
class SupervisorProgramTest : public ::testing::Test {
 protected:
  pid_t launch(std::vector<std::string> arguments, int keep_fd = -1) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(BENCHTOP_SANDBOX_BINARY));
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (keep_fd >= 0) ::fcntl(keep_fd, F_SETFD, 0);
      if (log_.write) ::fcntl(log_.write.get(), F_SETFD, 0);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    return pid;
  }

  // The program's exit status, within the bound.
  std::optional<int> wait_status() {
    if (!wait_for_exit(pid_)) return std::nullopt;
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) return std::nullopt;
    pid_ = -1;
    return status;
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  testing::TempDir dir_;
  Pipe log_;
  pid_t pid_ = -1;
};

TEST_F(SupervisorProgramTest, ServesOnTheInheritedSocketAndExitsCleanlyOnSigterm) {
  const auto socket_path = dir_ / "sandbox.sock";
  const auto workspace = dir_ / "workspace";
  std::filesystem::create_directories(workspace);
  UniqueFd listener = listen_at(socket_path);
  log_ = make_pipe();
  const pid_t pid = launch({"--listen-fd", std::to_string(listener.get()), "--log-fd",
                            std::to_string(log_.write.get()), "--workspace", workspace.string()},
                           listener.get());
  ASSERT_GT(pid, 0);
  log_.write.reset();

  auto request = [&](const Json& body, std::vector<int> fds = {}) {
    UniqueFd connection = dial(socket_path);
    EXPECT_TRUE(static_cast<bool>(send_frame(connection.get(), body, {}, fds, deadline())));
    return connection;
  };
  {
    UniqueFd connection = request({{"op", "hello"}});
    const Frame hello = receive(connection.get());
    EXPECT_EQ(hello.body["ok"], true);
    EXPECT_EQ(hello.body["pid"], pid);
    EXPECT_EQ(hello.body["version"], kProtocolVersion);
  }
  {
    Pipe out = make_pipe();
    UniqueFd null_in = open_null(O_RDONLY);
    UniqueFd connection = request({{"op", "run"},
                                   {"command", "echo hi > f; cat f"},
                                   {"cwd", ""},
                                   {"env", {{"PATH", "/usr/bin:/bin"}}}},
                                  {null_in.get(), out.write.get(), out.write.get()});
    out.write.reset();
    EXPECT_EQ(receive(connection.get()).body["ok"], true);
    EXPECT_EQ(read_to_end(out.read.get()), "hi\n");
    EXPECT_EQ(receive(connection.get()).body, (Json{{"exit", {{"code", 0}}}}));
    EXPECT_EQ(testing::read_file(workspace / "f"), "hi\n");
  }
  {
    UniqueFd connection = request({{"op", "no-such-op"}});
    EXPECT_EQ(receive(connection.get()).body["ok"], false);
    // One line per error on the log descriptor.
    std::string line;
    char c = 0;
    pollfd entry{log_.read.get(), POLLIN, 0};
    while (line.find('\n') == std::string::npos &&
           ::poll(&entry, 1, static_cast<int>(kWait / 1ms)) == 1 &&
           ::read(log_.read.get(), &c, 1) == 1) {
      line += c;
    }
    EXPECT_NE(line.find("no-such-op"), std::string::npos) << line;
  }
  int background = -1;
  {
    UniqueFd connection = request({{"op", "start"},
                                   {"command", "sleep 1000"},
                                   {"cwd", ""},
                                   {"env", {{"PATH", "/usr/bin:/bin"}}},
                                   {"cgroup", "cg"}});
    const Frame started = receive(connection.get());
    ASSERT_EQ(started.body["ok"], true) << started.body.dump();
    background = started.body["process"]["pid"].get<int>();
  }
  ASSERT_TRUE(pid_exists(background));

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const auto status = wait_status();
  ASSERT_TRUE(status.has_value()) << "the program did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  // It killed and reaped its command before exiting.
  EXPECT_FALSE(pid_exists(background));
}

TEST_F(SupervisorProgramTest, AUsageErrorExitsWithTwo) {
  launch({"--workspace", "/tmp"});
  const auto status = wait_status();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  launch({"--listen-fd", "999"});  // not an open descriptor
  const auto closed = wait_status();
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(WEXITSTATUS(*closed), 2);
}

}  // namespace
}  // namespace benchtop::supervisor
