#include "server/sandbox/supervisor/request_fields.h"

#include <gtest/gtest.h>

#include <string>

namespace benchtop::supervisor {
namespace {

// Requests arrive as text: parsed JSON is what the supervisor checks.
nlohmann::json parsed(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, false);
}

TEST(SupervisorRequestFieldsTest, IntegersAreCheckedAgainstBothBounds) {
  EXPECT_FALSE(required_integer(parsed(R"({"n": 0})"), "n", 1, 64));
  EXPECT_FALSE(required_integer(parsed(R"({"n": 65})"), "n", 1, 64));
  EXPECT_FALSE(required_integer(parsed(R"({"n": -1})"), "n", 0, 64));
  EXPECT_FALSE(required_integer(parsed(R"({"n": 18446744073709551615})"), "n", 0, 64));
  EXPECT_FALSE(required_integer(parsed(R"({"n": 1.5})"), "n", 0, 64));
  EXPECT_FALSE(required_integer(parsed(R"({"n": true})"), "n", 0, 64));
  EXPECT_FALSE(required_integer(parsed(R"({"n": "9"})"), "n", 0, 64));
  EXPECT_FALSE(required_integer(parsed(R"({})"), "n", 0, 64));
  auto one = required_integer(parsed(R"({"n": 1})"), "n", 1, 64);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, 1);
  auto negative = required_integer(parsed(R"({"n": -5})"), "n", -10, 10);
  ASSERT_TRUE(negative);
  EXPECT_EQ(*negative, -5);
  auto absent = optional_integer(parsed(R"({"n": null})"), "n", 0, 1);
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->has_value());
}

TEST(SupervisorRequestFieldsTest, StringsAndEnvironment) {
  EXPECT_FALSE(required_string(parsed(R"({"s": 1})"), "s"));
  EXPECT_FALSE(required_string(parsed(R"({"s": "a\u0000b"})"), "s"));
  auto env = environment(parsed(R"({"env": {"A": "1", "B": "x=y"}})"));
  ASSERT_TRUE(env);
  EXPECT_EQ(*env, (std::vector<std::string>{"A=1", "B=x=y"}));
  EXPECT_FALSE(environment(parsed(R"({"env": {"A=B": "1"}})")));
  EXPECT_FALSE(environment(parsed(R"({"env": {"": "1"}})")));
  EXPECT_FALSE(environment(parsed(R"({"env": {"A": 1}})")));
  EXPECT_FALSE(environment(parsed(R"({"env": ["A=1"]})")));
  EXPECT_FALSE(optional_bool(parsed(R"({"b": 1})"), "b", false));
}

TEST(SupervisorRequestFieldsTest, WorkingDirectoryIsBelowTheWorkspace) {
  EXPECT_EQ(*working_directory("/workspace", ""), "/workspace");
  EXPECT_EQ(*working_directory("/workspace", "app/src"), "/workspace/app/src");
  EXPECT_FALSE(working_directory("/workspace", "/etc"));
}

}  // namespace
}  // namespace benchtop::supervisor
