#include "transport/http_module/connection_limits.h"

#include <gtest/gtest.h>

#include <vector>

namespace benchtop {
namespace {

TEST(ConnectionLimitsTest, PeerKeyGroupsAnIpv6HostByItsPrefix) {
  struct Case {
    const char* address;
    const char* key;
  };
  const std::vector<Case> cases = {
      {"127.0.0.2", "127.0.0.2"},
      {"::ffff:192.0.2.7", "192.0.2.7"},  // IPv4-mapped counts as the IPv4 client
      {"2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
      {"2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"},  // same /64, same client
      {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
      {"::1", "::/64"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(peer_key(boost::asio::ip::make_address(c.address)), c.key) << c.address;
  }
}

TEST(ConnectionLimitsTest, SlotsAreCountedPerPeerAndInTotalAndGivenBack) {
  ConnectionLimits limits(3, 2);
  auto a1 = limits.admit("a");
  auto a2 = limits.admit("a");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(limits.admit("a"));  // per-peer cap
  auto b1 = limits.admit("b");
  ASSERT_TRUE(b1);
  EXPECT_FALSE(limits.admit("c"));  // total cap
  EXPECT_EQ(limits.open(), 3u);
  a1.reset();
  EXPECT_EQ(limits.open(), 2u);
  EXPECT_TRUE(limits.admit("a"));  // admitted, and given back at once (temporary)
  EXPECT_TRUE(limits.admit("c"));
  EXPECT_EQ(limits.open(), 2u);
}

}  // namespace
}  // namespace benchtop
