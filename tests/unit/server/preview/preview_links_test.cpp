#include "server/preview/preview_links.h"

#include <gtest/gtest.h>

#include <string>

#include "server/preview/port_previews.h"

namespace benchtop {
namespace {

constexpr const char* kProject = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr const char* kOtherProject = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

// The pass a preview URL carries, or "" when it has none.
std::string pass_of(const std::string& url) {
  const std::string marker = "?" + std::string(kPreviewPassParameter) + "=";
  const auto at = url.find(marker);
  return at == std::string::npos ? "" : url.substr(at + marker.size());
}

TEST(PreviewLinksTest, NoUrlBeforeTheServerListens) {
  PreviewLinks links;
  EXPECT_FALSE(links.serving());
  EXPECT_EQ(links.origin({kProject, 5173}), std::nullopt);
  EXPECT_EQ(links.url({kProject, 5173}), std::nullopt);
  EXPECT_TRUE(port_previews(links, kProject, {5173, 8000}).empty());
}

TEST(PreviewLinksTest, TheUrlNamesTheProjectPortOnTheServersPort) {
  PreviewLinks links;
  links.serve_on(8765);
  ASSERT_TRUE(links.serving());
  const PreviewAddress address{kProject, 5173};
  EXPECT_EQ(links.origin(address), std::string("http://p5173-") + kProject + ".localhost:8765");
  const auto url = links.url(address);
  ASSERT_TRUE(url);
  const std::string prefix =
      std::string("http://p5173-") + kProject + ".localhost:8765/?benchtop_pass=";
  ASSERT_EQ(url->rfind(prefix, 0), 0u) << *url;
  const std::string pass = url->substr(prefix.size());
  EXPECT_FALSE(pass.empty());
  EXPECT_EQ(pass.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789-_."),
            std::string::npos)
      << "a pass needs no escaping in a URL: " << pass;
}

TEST(PreviewLinksTest, ThePassOpensThatPreviewOnly) {
  PreviewLinks links;
  links.serve_on(8765);
  const PreviewAddress address{kProject, 5173};
  const std::string pass = pass_of(links.url(address).value_or(""));
  ASSERT_FALSE(pass.empty());
  const auto now = PreviewPasses::Clock::now();
  EXPECT_TRUE(links.passes().valid(pass, address, now));
  EXPECT_FALSE(links.passes().valid(pass, {kProject, 5174}, now)) << "another port";
  EXPECT_FALSE(links.passes().valid(pass, {kOtherProject, 5173}, now)) << "another project";
  // It is short-lived: dead once its lifetime has passed.
  EXPECT_FALSE(links.passes().valid(pass, address,
                                    now + PreviewLinks::kPassLifetime + std::chrono::minutes(1)));
  // And signed by this server: another one's links (another key) do not accept it.
  PreviewLinks other;
  EXPECT_FALSE(other.passes().valid(pass, address, now));
}

TEST(PreviewLinksTest, EveryUrlCarriesAFreshPass) {
  PreviewLinks links;
  links.serve_on(8765);
  const PreviewAddress address{kProject, 5173};
  EXPECT_NE(pass_of(*links.url(address)), pass_of(*links.url(address)));
}

TEST(PortPreviewsTest, OneLinkPerPortInOrder) {
  PreviewLinks links;
  links.serve_on(8765);
  const auto previews = port_previews(links, kProject, {3000, 8000});
  ASSERT_EQ(previews.size(), 2u);
  EXPECT_EQ(previews[0].port, 3000);
  EXPECT_EQ(previews[1].port, 8000);
  EXPECT_TRUE(links.passes().valid(pass_of(previews[1].url), {kProject, 8000},
                                   PreviewPasses::Clock::now()));
  EXPECT_EQ(previews[0].url.rfind(std::string("http://p3000-") + kProject, 0), 0u);
  // A port no TCP socket can have is left out rather than wrapped around.
  EXPECT_TRUE(port_previews(links, kProject, {0, 70000, -1}).empty());
}

}  // namespace
}  // namespace benchtop
