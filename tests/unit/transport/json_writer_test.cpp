#include "transport/json_writer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace benchtop {
namespace {

using nlohmann::json;

std::string reference(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string written(const json& value) {
  std::string out;
  append_json(value, out);
  return out;
}

TEST(JsonWriterTest, MatchesNlohmannOnHandPickedValues) {
  const std::vector<json> values = {
      nullptr,
      true,
      false,
      0,
      -17,
      18446744073709551615ull,
      0.1,
      -0.0,
      1e300,
      "",
      "plain",
      "quote \" backslash \\ slash / tab \t newline \n cr \r bell \a nul " + std::string(1, '\0'),
      "\x7f del stays",
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",  // 2, 3 and 4-byte sequences
      "bad \xff byte",                              // invalid lead
      "overlong \xc0\xaf and \xe0\x80\xaf",         // overlong forms
      "surrogate \xed\xa0\x80",                     // UTF-16 surrogate
      "too big \xf4\x90\x80\x80",                   // above U+10FFFF
      "cut \xe2\x82",                               // truncated at the end
      json::array(),
      json::object(),
      json{{"b", 1}, {"a", {1, "two", nullptr}}, {"\xc3\xa9", {{"x\ny", false}}}},
      json::binary({1, 2, 3}),
  };
  for (const json& value : values) EXPECT_EQ(written(value), reference(value)) << reference(value);
}

// Random strings from pieces that exercise every branch: ASCII, escapes, valid multi-byte
// sequences, and each kind of malformed sequence, in random nesting.
std::string random_string(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "a",    "Z",        " ",    "\"",       "\\",           "\n",
      "\x01", "\x1f",     "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
      "\xc2", "\xe0\xa0", "\x80", "\xfe",     "\xed\xbf\xbf", "\xf5\x80\x80\x80"};
  std::uniform_int_distribution<size_t> count(0, 12), pick(0, pieces.size() - 1);
  std::string s;
  for (size_t n = count(rng); n > 0; --n) s += pieces[pick(rng)];
  return s;
}

json random_value(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 3 : 5);
  switch (kind(rng)) {
    case 0:
      return random_string(rng);
    case 1:
      return std::uniform_int_distribution<int64_t>(-1'000'000, 1'000'000)(rng);
    case 2:
      return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 3:
      return nullptr;
    case 4: {
      json array = json::array();
      for (int n = std::uniform_int_distribution<int>(0, 4)(rng); n > 0; --n) {
        array.push_back(random_value(rng, depth + 1));
      }
      return array;
    }
    default: {
      json object = json::object();
      for (int n = std::uniform_int_distribution<int>(0, 4)(rng); n > 0; --n) {
        object[random_string(rng)] = random_value(rng, depth + 1);
      }
      return object;
    }
  }
}

TEST(JsonWriterTest, MatchesNlohmannOnRandomValues) {
  std::mt19937 rng(20261122);
  for (int i = 0; i < 3000; ++i) {
    const json value = random_value(rng, 0);
    ASSERT_EQ(written(value), reference(value)) << "case " << i;
  }
}

TEST(JsonWriterTest, AppendsToWhatIsAlreadyThere) {
  std::string out = "prefix:";
  append_json(json{{"k", "bad \xff"}}, out);
  EXPECT_EQ(out, "prefix:" + reference(json{{"k", "bad \xff"}}));
}

}  // namespace
}  // namespace benchtop
