#include "server/preview/preview_address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace benchtop {
namespace {

using namespace std::chrono_literals;

constexpr const char* kProject = "0f8fad5b-d9cb-469f-a165-70867728950e";

std::optional<PreviewAddress> preview_of(const std::string& host_header) {
  auto host = parse_host_header(host_header);
  if (!host) return std::nullopt;
  return parse_preview_host(*host);
}

TEST(PreviewHostTest, NamesAProjectsPortAndParsesBack) {
  const PreviewAddress address{kProject, 5173};
  EXPECT_EQ(address.host_name(), std::string("p5173-") + kProject + ".localhost");
  EXPECT_EQ(preview_of(address.host_name() + ":8765"), address);
  EXPECT_EQ(preview_of(address.host_name()), address);
  // Host names are case-insensitive; the header parser lower-cases them.
  EXPECT_EQ(preview_of("P5173-0F8FAD5B-D9CB-469F-A165-70867728950E.LOCALHOST:8765"), address);
}

TEST(PreviewHostTest, AnythingElseIsNoPreview) {
  const std::string id = kProject;
  for (const std::string& host : std::vector<std::string>{
           "localhost:8765",                        // the chat page itself
           "127.0.0.1:8765",                        // an address
           "p5173-" + id + ".localhost.:8765",      // a trailing dot is another name
           "x.p5173-" + id + ".localhost",          // a label before it
           "p5173-" + id + ".example.com",          // not under localhost
           "p5173-" + id + ".evil-localhost",       // a suffix match would take this
           "p05173-" + id + ".localhost",           // a leading zero
           "p0-" + id + ".localhost",               // port 0
           "p65536-" + id + ".localhost",           // beyond the port range
           "p-" + id + ".localhost",                // no port
           "q5173-" + id + ".localhost",            // another prefix
           "p5173-" + id.substr(1) + ".localhost",  // not a UUID
           "p5173-" + id + "0.localhost",           // a UUID and more
           "p5173_" + id + ".localhost",            // another separator
           "p5173-0f8fad5bxd9cb-469f-a165-70867728950e.localhost",  // no dash where one must be
       }) {
    EXPECT_EQ(preview_of(host), std::nullopt) << host;
  }
}

TEST(PreviewPassTest, OpensOnlyItsOwnPreviewUntilItExpires) {
  PreviewPasses passes;
  const auto now = PreviewPasses::Clock::now();
  const PreviewAddress address{kProject, 5173};
  const std::string pass = passes.issue(address, now + 60s);
  EXPECT_TRUE(passes.valid(pass, address, now));
  // A URL-safe value: no characters a query string or a cookie would need escaped.
  EXPECT_EQ(pass.find_first_of("+/=;, \""), std::string::npos) << pass;

  EXPECT_FALSE(passes.valid(pass, address, now + 61s));
  EXPECT_FALSE(passes.valid(pass, PreviewAddress{kProject, 5174}, now));
  EXPECT_FALSE(
      passes.valid(pass, PreviewAddress{"1f8fad5b-d9cb-469f-a165-70867728950e", 5173}, now));
  // Another server (another key) did not issue it.
  EXPECT_FALSE(PreviewPasses().valid(pass, address, now));
  // Altered: a later expiry, a cut, garbage.
  std::string later = pass;
  later[0] = later[0] == '9' ? '8' : '9';
  EXPECT_FALSE(passes.valid(later, address, now));
  EXPECT_FALSE(passes.valid(pass.substr(0, pass.size() - 1), address, now));
  EXPECT_FALSE(passes.valid("", address, now));
  EXPECT_FALSE(passes.valid("...", address, now));
}

}  // namespace
}  // namespace benchtop
