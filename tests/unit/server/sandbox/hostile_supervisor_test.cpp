// The supervisor runs as the sandbox's user, so code in the project can replace what answers on
// its socket. benchtop checks every answer: a lying "supervisor" gets an error, never a
// descriptor of the wrong kind or a hang past the deadline.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "server/sandbox/backends/bwrap_backend.h"
#include "server/sandbox/supervisor/client.h"
#include "server/sandbox/supervisor/wire.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {
namespace {

using supervisor::Clock;

class HostileSupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SupervisedOptions options;
    options.state_root = temp_.path();
    backend_ = std::make_unique<NoneBackend>(CgroupHost{}, "t", options);
    spec_.project_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    spec_.workspace = temp_.path();
    std::filesystem::create_directories(temp_.path() / spec_.project_id);
    auto listener = supervisor::listen_at(backend_->socket_path(spec_));
    ASSERT_TRUE(static_cast<bool>(listener)) << listener.error().message;
    listener_ = std::move(listener).value();
  }

  // Answers the next request with `answer` and the descriptors it gives.
  void answer_next(std::function<void(int connection)> answer) {
    fake_ = std::thread([this, answer = std::move(answer)] {
      UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!connection) return;
      (void)supervisor::receive_frame(connection.get(), Clock::now() + std::chrono::seconds(5));
      answer(connection.get());
    });
  }

  void TearDown() override {
    if (fake_.joinable()) fake_.join();
  }

  TempDir temp_;
  std::unique_ptr<NoneBackend> backend_;
  ContainerSpec spec_;
  UniqueFd listener_;
  std::thread fake_;
};

TEST_F(HostileSupervisorTest, AConnectAnsweredWithAPipeIsRefused) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  answer_next([&](int connection) {
    const int given[] = {read_end.get()};
    (void)supervisor::send_frame(connection, {{"ok", true}}, {}, given,
                                 Clock::now() + std::chrono::seconds(5));
  });
  auto connected = backend_->connect_port(spec_, 8000);
  ASSERT_FALSE(connected.ok());
  EXPECT_EQ(connected.error().code, "protocol") << connected.error().message;
}

TEST_F(HostileSupervisorTest, AConnectAnsweredWithTwoSocketsOrNoneIsRefused) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd first(pair[0]), second(pair[1]);
  answer_next([&](int connection) {
    const int given[] = {first.get(), second.get()};
    (void)supervisor::send_frame(connection, {{"ok", true}}, {}, given,
                                 Clock::now() + std::chrono::seconds(5));
  });
  auto two = backend_->connect_port(spec_, 8000);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().code, "protocol");
  fake_.join();

  answer_next([](int connection) {
    (void)supervisor::send_frame(connection, {{"ok", true}},
                                 Clock::now() + std::chrono::seconds(5));
  });
  auto none = backend_->connect_port(spec_, 8000);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "protocol");
}

TEST_F(HostileSupervisorTest, AnAnswerThatIsNotTheProtocolIsAnError) {
  answer_next([](int connection) {
    // A header announcing far more than a frame may hold.
    const char header[8] = {0, 0, 0, 0x7f, 0, 0, 0, 0};
    (void)!::write(connection, header, sizeof header);
  });
  auto listed = backend_->list_processes(spec_);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, "protocol");
}

}  // namespace
}  // namespace benchtop::testing
