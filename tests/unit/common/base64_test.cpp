#include "common/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace benchtop {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64::encode(""), "");
  EXPECT_EQ(base64::encode("f"), "Zg==");
  EXPECT_EQ(base64::encode("fo"), "Zm8=");
  EXPECT_EQ(base64::encode("foo"), "Zm9v");
  EXPECT_EQ(base64::encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64::encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64::encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(base64::decode(""), "");
  EXPECT_EQ(base64::decode("Zg=="), "f");
  EXPECT_EQ(base64::decode("Zm8="), "fo");
  EXPECT_EQ(base64::decode("Zm9v"), "foo");
  EXPECT_EQ(base64::decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64::decode("//4A"), std::string("\xff\xfe\x00", 3));
}

TEST(Base64, RejectsMalformedInput) {
  for (const char* bad : {"Z", "Zg", "Zg=", "Zm9vY", "Zg==Zg==", "Z===", "====", "Zm9v\n", "Zm 9",
                          "Zm-v", "Zm_v", "Zm9v=", "=Zm9", "Zh==", "Zm9=", "Zm=v"}) {
    EXPECT_FALSE(base64::decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(base64::decode(std::string("Zm\0v", 4)).has_value());
}

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::mt19937 random(42);  // fixed seed: reproducible test data
  for (size_t length = 0; length < 300; ++length) {
    std::string bytes(length, '\0');
    for (auto& byte : bytes) byte = static_cast<char>(random() & 0xFF);
    const std::string encoded = base64::encode(bytes);
    EXPECT_EQ(encoded.size() % 4, 0u);
    auto decoded = base64::decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << length;
    EXPECT_EQ(*decoded, bytes);
  }
}

}  // namespace
}  // namespace benchtop

namespace benchtop::base64 {
namespace {

TEST(Base64Url, UsesTheUrlAlphabetWithoutPadding) {
  EXPECT_EQ(encode_url(""), "");
  EXPECT_EQ(encode_url("f"), "Zg");
  EXPECT_EQ(encode_url("fo"), "Zm8");
  EXPECT_EQ(encode_url("foo"), "Zm9v");
  // 0xfb 0xff encodes as "+/8=" in the standard alphabet.
  EXPECT_EQ(encode_url("\xfb\xff"), "-_8");
}

}  // namespace
}  // namespace benchtop::base64
