#include "common/human_units.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace benchtop::testing {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = kKiB * kKiB;
constexpr uint64_t kGiB = kMiB * kKiB;

TEST(HumanBytes, CountsBytesExactlyBelowOneKibibyte) {
  EXPECT_EQ(human_bytes(0), "0 bytes");
  EXPECT_EQ(human_bytes(200), "200 bytes");
  EXPECT_EQ(human_bytes(1023), "1023 bytes");
}

TEST(HumanBytes, UsesTheLargestUnitWithOneDecimalUnlessItIsZero) {
  EXPECT_EQ(human_bytes(kKiB), "1 KiB");
  EXPECT_EQ(human_bytes(3277), "3.2 KiB");
  EXPECT_EQ(human_bytes(512 * kMiB), "512 MiB");
  EXPECT_EQ(human_bytes(kGiB + kGiB / 2), "1.5 GiB");
  EXPECT_EQ(human_bytes(10 * kGiB), "10 GiB");
}

TEST(HumanBytes, RoundsToTheNearestTenthAndCarriesIntoTheNextUnit) {
  EXPECT_EQ(human_bytes(kKiB + 51), "1 KiB");    // 1.0498 KiB
  EXPECT_EQ(human_bytes(kKiB + 52), "1.1 KiB");  // 1.0508 KiB
  EXPECT_EQ(human_bytes(kMiB - 1), "1 MiB");     // 1023.999 KiB
}

TEST(HumanBytes, TheLargestCountsStayInExbibytes) {
  EXPECT_EQ(human_bytes(std::numeric_limits<uint64_t>::max()), "16 EiB");
}

}  // namespace
}  // namespace benchtop::testing
