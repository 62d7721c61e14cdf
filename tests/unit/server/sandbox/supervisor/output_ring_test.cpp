#include "server/sandbox/supervisor/output_ring.h"

#include <gtest/gtest.h>

#include <string>

namespace benchtop::supervisor {
namespace {

std::string numbered(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) text += static_cast<char>('a' + i % 26);
  return text;
}

TEST(SupervisorOutputRingTest, KeepsEverythingUntilFull) {
  OutputRing ring(16);
  ring.append("hello ");
  ring.append("world");
  const auto all = ring.since(0, 100);
  EXPECT_EQ(all.data, "hello world");
  EXPECT_EQ(all.start, 0u);
  EXPECT_EQ(all.next, 11u);
  EXPECT_EQ(all.dropped, 0u);
  EXPECT_EQ(ring.total(), 11u);
  EXPECT_EQ(ring.first(), 0u);
}

TEST(SupervisorOutputRingTest, WrapsKeepingTheLastBytesAtTheirOffsets) {
  const std::string text = numbered(100);
  OutputRing ring(16);
  // Pieces of uneven sizes, so writes straddle the end of the buffer.
  for (size_t at = 0; at < text.size(); at += 7) ring.append(text.substr(at, 7));
  EXPECT_EQ(ring.total(), 100u);
  EXPECT_EQ(ring.first(), 84u);
  const auto all = ring.since(0, 100);
  EXPECT_EQ(all.data, text.substr(84));
  EXPECT_EQ(all.start, 84u);
  EXPECT_EQ(all.dropped, 84u);
  EXPECT_EQ(all.next, 100u);

  const auto middle = ring.since(90, 4);
  EXPECT_EQ(middle.data, text.substr(90, 4));
  EXPECT_EQ(middle.start, 90u);
  EXPECT_EQ(middle.next, 94u);
  EXPECT_EQ(middle.dropped, 0u);

  const auto beyond = ring.since(500, 10);
  EXPECT_EQ(beyond.data, "");
  EXPECT_EQ(beyond.start, 100u);
  EXPECT_EQ(beyond.next, 100u);
}

TEST(SupervisorOutputRingTest, AWriteLargerThanTheRingKeepsItsEnd) {
  const std::string text = numbered(50);
  OutputRing ring(8);
  ring.append("xy");
  ring.append(text);
  EXPECT_EQ(ring.total(), 52u);
  EXPECT_EQ(ring.since(0, 100).data, text.substr(42));
}

TEST(SupervisorOutputRingTest, TailReturnsTheEndPagedByMax) {
  const std::string text = numbered(40);
  OutputRing ring(32);
  ring.append(text);
  const auto last = ring.tail(5, 100);
  EXPECT_EQ(last.data, text.substr(35));
  EXPECT_EQ(last.start, 35u);
  EXPECT_EQ(last.dropped, 0u);
  const auto first_of_last = ring.tail(10, 3);
  EXPECT_EQ(first_of_last.data, text.substr(30, 3));
  EXPECT_EQ(first_of_last.next, 33u);
  // More than is held: everything held, and no loss reported for a request of "the end".
  const auto more = ring.tail(1000, 1000);
  EXPECT_EQ(more.start, 8u);
  EXPECT_EQ(more.dropped, 0u);
  EXPECT_EQ(more.data, text.substr(8));
}

}  // namespace
}  // namespace benchtop::supervisor
