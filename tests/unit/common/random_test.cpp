#include "common/random.h"

#include <gtest/gtest.h>

#include <set>

#include "common/constant_time.h"

namespace benchtop {
namespace {

TEST(RandomTest, HexHasTwoLowercaseDigitsPerByteAndDoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string hex = random_hex(16);
    ASSERT_EQ(hex.size(), 32u);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
    seen.insert(hex);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(300).size(), 300u);  // more than one getrandom call may be needed
}

TEST(ConstantTimeTest, EqualOnlyForIdenticalValues) {
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_TRUE(equal_constant_time("token-123", "token-123"));
  EXPECT_FALSE(equal_constant_time("token-123", "token-124"));
  EXPECT_FALSE(equal_constant_time("token-123", "token-12"));
  EXPECT_FALSE(equal_constant_time(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace benchtop
