#include "transport/stdio_connection.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace benchtop {
namespace {

using ::testing::VariantWith;

// A connection whose input is a SOCK_SEQPACKET socket: every write_chunk() arrives as exactly one
// read() on the connection's side, so tests control where chunk boundaries fall without threads
// or timing.
class ChunkedInput {
 public:
  explicit ChunkedInput(size_t max_message_bytes) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
      ADD_FAILURE() << "socketpair failed";
      return;
    }
    writer_.reset(fds[0]);
    connection_ =
        std::make_unique<StdioConnection>(UniqueFd(fds[1]), UniqueFd(), max_message_bytes);
  }

  void write_chunk(std::string_view chunk) {
    ASSERT_FALSE(chunk.empty()) << "an empty packet would read as end of stream";
    ASSERT_EQ(::write(writer_.get(), chunk.data(), chunk.size()),
              static_cast<ssize_t>(chunk.size()));
  }
  void end() { writer_.reset(); }

  StdioConnection& connection() { return *connection_; }

 private:
  UniqueFd writer_;
  std::unique_ptr<StdioConnection> connection_;
};

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2 failed";
      return;
    }
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
};

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

// Ignores SIGPIPE for one test, so writing to a closed pipe fails with EPIPE instead of killing
// the test binary (the server does the same in take_process_stdio).
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() { previous_ = ::signal(SIGPIPE, SIG_IGN); }
  ~IgnoreSigpipe() { ::signal(SIGPIPE, previous_); }

 private:
  sighandler_t previous_;
};

TEST(StdioConnection, SeveralMessagesInOneWrite) {
  ChunkedInput input(1024);
  input.write_chunk("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"a\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"b\":2}"));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"c\":3}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, MessageSplitAcrossWrites) {
  ChunkedInput input(1024);
  input.write_chunk("{\"json");
  input.write_chunk("rpc\":");
  input.write_chunk("\"2.0\"}");
  input.write_chunk("\n{\"next\"");
  input.write_chunk(":1}\n");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"jsonrpc\":\"2.0\"}"));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"next\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, CrLfLineEndingsAreStripped) {
  ChunkedInput input(1024);
  input.write_chunk("{\"a\":1}\r\n{\"b\":2}\r");
  input.write_chunk("\n");  // the CR and LF of one line end arrive in different reads
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"a\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"b\":2}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, BlankLinesAreSkipped) {
  ChunkedInput input(1024);
  input.write_chunk("\n\r\n  \t\n{\"a\":1}\n\n\n");
  input.write_chunk(" \n{\"b\":2}\n");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"a\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"b\":2}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, LastMessageWithoutNewlineIsStillAMessage) {
  ChunkedInput input(1024);
  input.write_chunk("{\"a\":1}\n{\"b\"");
  input.write_chunk(":2}");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"a\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"b\":2}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, TrailingWhitespaceBeforeEofIsNotAMessage) {
  ChunkedInput input(1024);
  input.write_chunk("{\"a\":1}\n \t\r");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"a\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, EndOfStreamIsReportedAgainOnEveryRead) {
  ChunkedInput input(1024);
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, MessageOfExactlyTheLimitIsAccepted) {
  ChunkedInput input(16);
  input.write_chunk(std::string(16, 'x') + "\n" + std::string(17, 'y') + "\nok\n");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>(std::string(16, 'x')));
  EXPECT_THAT(input.connection().read(),
              VariantWith<OversizedMessage>(::testing::Field(&OversizedMessage::limit, 16u)));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("ok"));
}

TEST(StdioConnection, LimitCountsTheMessageNotItsCrLf) {
  ChunkedInput input(16);
  input.write_chunk(std::string(16, 'a') + "\r\n");
  input.write_chunk(std::string(16, 'b') + "\r");  // the LF has not arrived yet
  input.write_chunk("\n" + std::string(17, 'c') + "\r\n");
  input.write_chunk(std::string(16, 'd') + "\r");  // last message, cut by EOF before its LF
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>(std::string(16, 'a')));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>(std::string(16, 'b')));
  EXPECT_THAT(input.connection().read(), VariantWith<OversizedMessage>(::testing::_));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>(std::string(16, 'd')));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, LastMessageOverTheLimitWithoutNewlineIsOversized) {
  ChunkedInput input(16);
  input.write_chunk(std::string(17, 'x'));
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<OversizedMessage>(::testing::_));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, OversizedMessageInOneWriteThenTheNextIsRead) {
  ChunkedInput input(16);
  input.write_chunk("{\"a\":1}\n" + std::string(100, 'x') + "\n{\"b\":2}\n");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"a\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<OversizedMessage>(::testing::_));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"b\":2}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, OversizedMessageOverManyWritesIsDiscardedUpToItsNewline) {
  ChunkedInput input(16);
  for (int i = 0; i < 10; ++i) input.write_chunk(std::string(10, 'x'));
  input.write_chunk("xx\n{\"b\"");  // the oversized line ends inside the chunk that starts the next
  input.write_chunk(":2}\n");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<OversizedMessage>(::testing::_));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"b\":2}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, OversizedMessageWhoseNewlineStartsTheNextWrite) {
  ChunkedInput input(16);
  input.write_chunk(std::string(40, 'x'));
  input.write_chunk("\n{\"b\":2}\n");
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<OversizedMessage>(::testing::_));
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"b\":2}"));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, OversizedMessageCutOffByEof) {
  ChunkedInput input(16);
  input.write_chunk("{\"a\":1}\n");
  input.write_chunk(std::string(40, 'x'));
  input.end();
  EXPECT_THAT(input.connection().read(), VariantWith<std::string>("{\"a\":1}"));
  EXPECT_THAT(input.connection().read(), VariantWith<OversizedMessage>(::testing::_));
  EXPECT_THAT(input.connection().read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, LargeMessageOverAPipe) {
  // Larger than the pipe's capacity and the connection's read chunk, so it arrives in many reads.
  Pipe pipe;
  const std::string big = "\"" + std::string(3 * 1024 * 1024, 'z') + "\"";
  StdioConnection connection(std::move(pipe.read_end), UniqueFd(), 4 * 1024 * 1024);
  std::thread writer([&, fd = std::move(pipe.write_end)] {
    const std::string data = big + "\n{\"after\":true}\n";
    size_t offset = 0;
    while (offset < data.size()) {
      ssize_t n = ::write(fd.get(), data.data() + offset, data.size() - offset);
      if (n <= 0) return;
      offset += static_cast<size_t>(n);
    }
  });
  EXPECT_THAT(connection.read(), VariantWith<std::string>(big));
  EXPECT_THAT(connection.read(), VariantWith<std::string>("{\"after\":true}"));
  writer.join();
  EXPECT_THAT(connection.read(), VariantWith<EndOfStream>(::testing::_));
}

TEST(StdioConnection, WriteFramesEachMessageWithANewline) {
  Pipe pipe;
  UniqueFd read_end = std::move(pipe.read_end);
  {
    StdioConnection connection(UniqueFd(), std::move(pipe.write_end), 1024);
    EXPECT_TRUE(connection.write("{\"a\":1}"));
    EXPECT_TRUE(connection.write("{\"b\":2}"));
  }  // destroying the connection closes its output
  EXPECT_EQ(read_all(read_end.get()), "{\"a\":1}\n{\"b\":2}\n");
}

TEST(StdioConnection, ConcurrentWritesNeverInterleave) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  constexpr int kThreads = 4;
  constexpr int kMessagesPerThread = 50;
  StdioConnection sender(UniqueFd(), UniqueFd(fds[0]), 1 << 20);
  StdioConnection receiver(UniqueFd(fds[1]), UniqueFd(), 1 << 20);

  std::map<std::string, int> received;
  std::thread reader([&] {
    for (;;) {
      ReadResult frame = receiver.read();
      const auto* text = std::get_if<std::string>(&frame);
      if (!text) return;
      ++received[*text];
    }
  });
  {
    std::vector<std::jthread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&, t] {
        // Long enough that one message needs several write(2) calls on a busy socket.
        const std::string message(100000, static_cast<char>('a' + t));
        for (int i = 0; i < kMessagesPerThread; ++i) sender.write(message);
      });
    }
  }
  sender.close();
  reader.join();

  ASSERT_EQ(received.size(), static_cast<size_t>(kThreads));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(received[std::string(100000, static_cast<char>('a' + t))], kMessagesPerThread);
  }
}

TEST(StdioConnection, WriteFailsOnceThePeerIsGone) {
  IgnoreSigpipe ignore;
  Pipe pipe;
  StdioConnection connection(UniqueFd(), std::move(pipe.write_end), 1024);
  pipe.read_end.reset();
  EXPECT_FALSE(connection.write("{\"a\":1}"));
  EXPECT_FALSE(connection.write("{\"b\":2}"));
}

TEST(StdioConnection, CloseEndsABlockedReadOnASocket) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd peer(fds[0]);
  StdioConnection connection(UniqueFd(fds[1]), UniqueFd(::dup(fds[1])), 1024);
  ReadResult result;
  std::thread reader([&] { result = connection.read(); });
  connection.close();
  reader.join();
  EXPECT_THAT(result, VariantWith<EndOfStream>(::testing::_));
  EXPECT_FALSE(connection.write("{\"a\":1}"));
}

}  // namespace
}  // namespace benchtop
