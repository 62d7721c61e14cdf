#include "server/mcp/registry/uri_template.h"

#include <gtest/gtest.h>

#include "server/mcp/request_state.h"

namespace benchtop {
namespace {

TEST(UriTemplate, MatchesSimpleAndReservedVariables) {
  auto simple = UriTemplate::parse("test://template/{id}/data");
  ASSERT_TRUE(simple);
  auto match = simple->match("test://template/123/data");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->at("id"), "123");
  EXPECT_FALSE(simple->match("test://template/1/2/data"));  // {id} never spans a '/'
  EXPECT_FALSE(simple->match("test://template//data"));     // nor matches nothing
  EXPECT_FALSE(simple->match("test://template/123/datax"));

  auto files = UriTemplate::parse("benchtop://{project}/{+path}");
  ASSERT_TRUE(files);
  auto file = files->match("benchtop://demo/src/main.cpp");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->at("project"), "demo");
  EXPECT_EQ(file->at("path"), "src/main.cpp");
  EXPECT_EQ(files->variables(), (std::vector<std::string>{"project", "path"}));
}

// Found by fuzz/fuzz_uri_template (corpus file repeated_variable): a name used twice took two
// values, the map reported the last, and backtracking erased the first one's binding.
TEST(UriTemplate, ARepeatedVariableTakesOneValue) {
  auto twice = UriTemplate::parse("x://{a}/{e}/{e}");
  ASSERT_TRUE(twice);
  auto same = twice->match("x://1/v/v");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->at("e"), "v");
  EXPECT_FALSE(twice->match("x://1/v/w"));
  auto reserved = UriTemplate::parse("x://{+p}/-/{+p}");
  ASSERT_TRUE(reserved);
  auto spanning = reserved->match("x://a/b/-/a/b");
  ASSERT_TRUE(spanning);
  EXPECT_EQ(spanning->at("p"), "a/b");
  EXPECT_FALSE(reserved->match("x://a/b/-/a/c"));
}

// Found by fuzz/fuzz_uri_template (corpus file many_reserved_variables): backtracking over many
// {+x} variables is exponential, so a match has a work budget. A URI of the server's own template
// still matches at length, and the pathological case ends at once, as no match.
TEST(UriTemplate, BacktrackingHasABudget) {
  std::string many = "x://";
  for (int i = 0; i < 24; ++i) many += "{+v" + std::to_string(i) + "}-";
  auto pathological = UriTemplate::parse(many + "end");
  ASSERT_TRUE(pathological);
  EXPECT_FALSE(pathological->match("x://" + std::string(200, '-') + "nope"));

  auto files = UriTemplate::parse("benchtop://{project}/{+path}");
  ASSERT_TRUE(files);
  const std::string long_path(4000, 'a');
  auto file = files->match("benchtop://demo/" + long_path);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->at("path"), long_path);
}

TEST(UriTemplate, RefusesWhatItCannotMatch) {
  EXPECT_FALSE(UriTemplate::parse("test://{id"));
  EXPECT_FALSE(UriTemplate::parse("test://{}"));
  EXPECT_FALSE(UriTemplate::parse("test://{?query}"));
  EXPECT_FALSE(UriTemplate::parse("test://{#fragment}"));
}

TEST(RequestStateSealer, OpensOnlyWhatItSealedUnaltered) {
  RequestStateSealer sealer;
  const nlohmann::json state = {{"method", "tools/call"}, {"responses", {{"a", 1}}}};
  const std::string token = sealer.seal(state);
  auto opened = sealer.open(token);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, state);

  std::string flipped = token;
  flipped[2] = flipped[2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(sealer.open(flipped));
  EXPECT_FALSE(sealer.open(token + "-TAMPERED"));
  EXPECT_FALSE(sealer.open("no-dot-here"));
  RequestStateSealer other;  // another process's key
  EXPECT_FALSE(other.open(token));
}

}  // namespace
}  // namespace benchtop
