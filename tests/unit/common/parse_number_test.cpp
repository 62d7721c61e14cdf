#include "common/parse_number.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace benchtop {
namespace {

TEST(ParseInteger, TheWholeTextMustBeTheNumber) {
  EXPECT_EQ(parse_integer<int>("42"), 42);
  EXPECT_EQ(parse_integer<int>("-7"), -7);
  EXPECT_EQ(parse_integer<int>("ff", 16), 255);
  for (const char* text : {"", " 1", "1 ", "1\n", "+1", "1x", "0x10", "1.5", "--1"}) {
    EXPECT_FALSE(parse_integer<int>(text).has_value()) << "'" << text << "'";
  }
}

TEST(ParseInteger, OutOfRangeAndSignsAreRefusedNotWrapped) {
  EXPECT_EQ(parse_integer<uint8_t>("255"), 255);
  EXPECT_FALSE(parse_integer<uint8_t>("256").has_value());
  EXPECT_FALSE(parse_integer<uint16_t>("65536").has_value());
  EXPECT_FALSE(parse_integer<uint16_t>("-1").has_value());
  EXPECT_FALSE(parse_integer<int64_t>("99999999999999999999").has_value());
  EXPECT_EQ(parse_integer<int64_t>("-9223372036854775808"), INT64_MIN);
}

TEST(ParseDecimal, SecondsAsRetryAfterGivesThem) {
  EXPECT_EQ(parse_decimal("2"), 2.0);
  EXPECT_EQ(parse_decimal("1.5"), 1.5);
  for (const char* text : {"", "-1", "+1", "1e3", "Wed, 21 Oct 2015 07:28:00 GMT", "1.5s"}) {
    EXPECT_FALSE(parse_decimal(text).has_value()) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace benchtop
