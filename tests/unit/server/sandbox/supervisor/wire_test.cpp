#include "server/sandbox/supervisor/wire.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace benchtop::supervisor {
namespace {

using namespace std::chrono_literals;

Clock::time_point soon() {
  return Clock::now() + 2s;
}

std::pair<UniqueFd, UniqueFd> pair() {
  auto made = socket_pair();
  EXPECT_TRUE(static_cast<bool>(made));
  return std::move(made).value();
}

TEST(WireTest, AFrameArrivesWholeWithItsPayloadAndDescriptors) {
  auto [a, b] = pair();
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  const std::string payload("\xff\x00 not utf-8", 12);
  const int fds[] = {write_end.get()};
  ASSERT_TRUE(static_cast<bool>(send_frame(a.get(), {{"op", "run"}}, payload, fds, soon())));
  auto frame = receive_frame(b.get(), soon());
  ASSERT_TRUE(static_cast<bool>(frame)) << frame.error().message;
  EXPECT_EQ(frame->body["op"], "run");
  EXPECT_EQ(frame->payload, payload);
  ASSERT_EQ(frame->fds.size(), 1u);
  // The descriptor received is the same pipe: what is written to it comes out of read_end.
  ASSERT_EQ(::write(frame->fds[0].get(), "x", 1), 1);
  char got = 0;
  ASSERT_EQ(::read(read_end.get(), &got, 1), 1);
  EXPECT_EQ(got, 'x');
}

TEST(WireTest, ALargePayloadIsSentWhileTheOtherSideReads) {
  auto [a, b] = pair();
  const std::string payload(kMaxPayloadBytes, 'p');
  std::thread sender([&, fd = a.get()] {
    EXPECT_TRUE(static_cast<bool>(send_frame(fd, {{"n", 1}}, payload, {}, soon())));
  });
  auto frame = receive_frame(b.get(), soon());
  sender.join();
  ASSERT_TRUE(static_cast<bool>(frame));
  EXPECT_EQ(frame->payload.size(), payload.size());
}

TEST(WireTest, ASilentPeerTimesOut) {
  auto [a, b] = pair();
  const auto started = Clock::now();
  auto frame = receive_frame(b.get(), Clock::now() + 100ms);
  ASSERT_FALSE(static_cast<bool>(frame));
  EXPECT_EQ(frame.error().code, "timeout");
  EXPECT_LT(Clock::now() - started, 2s);
}

TEST(WireTest, APeerThatStopsMidFrameTimesOutInsteadOfHolding) {
  auto [a, b] = pair();
  const char header[8] = {10, 0, 0, 0, 0, 0, 0, 0};  // announces 10 bytes of JSON, sends 2
  ASSERT_EQ(::send(a.get(), header, sizeof header, 0), 8);
  ASSERT_EQ(::send(a.get(), "{}", 2, 0), 2);
  auto frame = receive_frame(b.get(), Clock::now() + 100ms);
  ASSERT_FALSE(static_cast<bool>(frame));
  EXPECT_EQ(frame.error().code, "timeout");
}

TEST(WireTest, OversizedOrMalformedFramesAreRefused) {
  {
    auto [a, b] = pair();
    const char header[8] = {0, 0, 0, 0x10, 0, 0, 0, 0};  // 256 MiB of JSON
    ASSERT_EQ(::send(a.get(), header, sizeof header, 0), 8);
    auto frame = receive_frame(b.get(), soon());
    ASSERT_FALSE(static_cast<bool>(frame));
    EXPECT_EQ(frame.error().code, "protocol");
  }
  {
    auto [a, b] = pair();
    const char header[8] = {2, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ(::send(a.get(), header, sizeof header, 0), 8);
    ASSERT_EQ(::send(a.get(), "[]", 2, 0), 2);
    auto frame = receive_frame(b.get(), soon());
    ASSERT_FALSE(static_cast<bool>(frame));
    EXPECT_EQ(frame.error().code, "protocol");
  }
  {
    auto [a, b] = pair();
    a.reset();
    auto frame = receive_frame(b.get(), soon());
    ASSERT_FALSE(static_cast<bool>(frame));
    EXPECT_EQ(frame.error().code, "closed");
  }
}

TEST(WireTest, SendingToAClosedPeerFailsWithoutSigpipe) {
  auto [a, b] = pair();
  b.reset();
  auto sent = send_frame(a.get(), {{"op", "hello"}}, soon());
  ASSERT_FALSE(static_cast<bool>(sent));
  EXPECT_EQ(sent.error().code, "closed");
}

}  // namespace
}  // namespace benchtop::supervisor
