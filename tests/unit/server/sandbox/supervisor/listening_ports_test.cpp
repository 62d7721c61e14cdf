#include "server/sandbox/supervisor/listening_ports.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"

namespace benchtop::supervisor {
namespace {

// Real /proc/net/tcp text of a little-endian machine.
constexpr std::string_view kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    // 127.0.0.1:8080, listening
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 "
    "31337 1 0000000000000000 100 0 0 10 0\n"
    // 0.0.0.0:22, listening
    "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "1234 1 0000000000000000 100 0 0 10 0\n"
    // 10.0.2.15:80, listening but not on loopback
    "   2: 0F02000A:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "1235 1 0000000000000000 100 0 0 10 0\n"
    // 127.0.0.2:3000: loopback, but not the address a connection goes to
    "   3: 0200007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "1236 1 0000000000000000 100 0 0 10 0\n"
    // 127.0.0.1:5000, an established connection
    "   4: 0100007F:1388 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 "
    "1237 1 0000000000000000 20 4 30 10 -1\n";

constexpr std::string_view kTcp6 =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    // [::]:8081
    "   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 40001 1 0000000000000000 100 0 0 10 0\n"
    // [::1]:3001
    "   1: 00000000000000000000000001000000:0BB9 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 40002 1 0000000000000000 100 0 0 10 0\n"
    // [::ffff:127.0.0.1]:3002
    "   2: 0000000000000000FFFF00000100007F:0BBA 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 40003 1 0000000000000000 100 0 0 10 0\n"
    // [::ffff:10.0.2.15]:3003, not loopback
    "   3: 0000000000000000FFFF00000F02000A:0BBB 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 40004 1 0000000000000000 100 0 0 10 0\n"
    // [2001:db8::1]:3004, not loopback
    "   4: B80D0120000000000000000001000000:0BBC 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 40005 1 0000000000000000 100 0 0 10 0\n"
    // [::1]:3005 in TIME_WAIT
    "   5: 00000000000000000000000001000000:0BBD 00000000000000000000000001000000:D431 06 "
    "00000000:00000000 03:00000F9E 00000000     0        0 0 3 0000000000000000\n"
    // [::]:8080 again, as a server listening on both families shows up
    "   6: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 40006 1 0000000000000000 100 0 0 10 0\n";

TEST(SupervisorListeningPortsTest, ReachableListenersOfBothFamiliesSortedOnce) {
  if constexpr (std::endian::native != std::endian::little) {
    GTEST_SKIP() << "the literal tables are those of a little-endian machine";
  }
  const std::string_view tables[] = {kTcp, kTcp6};
  EXPECT_EQ(listening_ports(tables), (std::vector<uint16_t>{22, 3001, 3002, 8080, 8081}));
}

TEST(SupervisorListeningPortsTest, EachFamilyAlone) {
  if constexpr (std::endian::native != std::endian::little) {
    GTEST_SKIP() << "the literal tables are those of a little-endian machine";
  }
  const std::string_view v4[] = {kTcp};
  EXPECT_EQ(listening_ports(v4), (std::vector<uint16_t>{22, 8080}));
  const std::string_view v6[] = {kTcp6};
  EXPECT_EQ(listening_ports(v6), (std::vector<uint16_t>{3001, 3002, 8080, 8081}));
}

TEST(SupervisorListeningPortsTest, GarbageIsSkipped) {
  const std::string_view tables[] = {
      "",
      "not a table\n   0: zz:1F90 00000000:0000 0A\n   1: 0100007F 00000000:0000 0A\n"
      "   2: 0100007F:0000 00000000:0000 0A\n   3: 0100007F:10000 00000000:0000 0A\n"};
  EXPECT_TRUE(listening_ports(tables).empty());
}

TEST(SupervisorListeningPortsTest, FindsAListenerOfThisProcess) {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(listener.valid());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener.get(), 4), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
  const uint16_t port = ntohs(address.sin_port);
  const auto ports = listening_ports();
  EXPECT_NE(std::find(ports.begin(), ports.end(), port), ports.end());
}

}  // namespace
}  // namespace benchtop::supervisor
