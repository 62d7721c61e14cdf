// Listening ports and their previews in exec tool results: process_start's wait_for_port (a dev
// server started and its preview URL returned in one call) and devcontainer_status, on real
// sandboxes.
#include <gtest/gtest.h>

#include <string>

#include "server/mcp/registry/tool_registry.h"
#include "server/preview/preview_links.h"
#include "tests/support/sandbox_test_support.h"
#include "tools/exec/exec_tools.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// A dev server that listens on `port` of the sandbox's loopback.
std::string http_server(int port) {
  return "exec python3 -u -m http.server " + std::to_string(port) + " --bind 127.0.0.1";
}

class ExecPreviewsTest : public SandboxToolFixture {
 protected:
  // The pass in a preview URL of `port` of alpha served on 8765, or "" when `url` is not one.
  std::string pass_in(const std::string& url, int port) const {
    const std::string prefix =
        "http://p" + std::to_string(port) + "-" + alpha_.id + ".localhost:8765/?benchtop_pass=";
    return url.rfind(prefix, 0) == 0 ? url.substr(prefix.size()) : "";
  }

  PreviewLinks links_;
};

TEST_F(ExecPreviewsTest, ProcessStartWaitsForItsPortAndReturnsItsPreview) {
  links_.serve_on(8765);
  register_exec_tools(registry_, *manager_, &links_);
  auto started =
      call("process_start",
           {{"project", "alpha"}, {"command", http_server(8000)}, {"wait_for_port", 8000}});
  ASSERT_FALSE(started.is_error) << text_of(started);
  const json& out = *started.structured;
  EXPECT_EQ(out["running"], true);
  EXPECT_EQ(out["ports"], json({8000}));
  ASSERT_EQ(out["previews"].size(), 1u) << out;
  EXPECT_EQ(out["previews"][0]["port"], 8000);
  const std::string url = out["previews"][0]["url"];
  const std::string pass = pass_in(url, 8000);
  ASSERT_FALSE(pass.empty()) << url;
  EXPECT_TRUE(links_.passes().valid(pass, {alpha_.id, 8000}, PreviewPasses::Clock::now()));
  EXPECT_NE(text_of(started).find("Preview of port 8000: " + url), std::string::npos)
      << text_of(started);
  // It really listens once the call returns.
  EXPECT_TRUE(manager_->connect_port("alpha", 8000).ok());

  // The status lists the port and its preview too.
  auto status = call("devcontainer_status", {{"project", "alpha"}});
  ASSERT_FALSE(status.is_error) << text_of(status);
  EXPECT_EQ((*status.structured)["ports"], json({8000}));
  ASSERT_EQ((*status.structured)["previews"].size(), 1u) << *status.structured;
  const std::string status_url = (*status.structured)["previews"][0]["url"];
  EXPECT_FALSE(pass_in(status_url, 8000).empty()) << status_url;
  EXPECT_NE(text_of(status).find("Preview of port 8000: http://p8000-"), std::string::npos)
      << text_of(status);

  // A second server: the result lists every port listening in the sandbox.
  auto second =
      call("process_start",
           {{"project", "alpha"}, {"command", http_server(8001)}, {"wait_for_port", 8001}});
  ASSERT_FALSE(second.is_error) << text_of(second);
  EXPECT_EQ((*second.structured)["ports"], json({8000, 8001}));
  EXPECT_EQ((*second.structured)["previews"].size(), 2u);
}

TEST_F(ExecPreviewsTest, WithoutAnHttpServerPortsComeWithoutPreviews) {
  register_exec_tools(registry_, *manager_, &links_);  // not serving: a stdio-only server
  auto started =
      call("process_start",
           {{"project", "alpha"}, {"command", http_server(8000)}, {"wait_for_port", 8000}});
  ASSERT_FALSE(started.is_error) << text_of(started);
  EXPECT_EQ((*started.structured)["ports"], json({8000}));
  EXPECT_FALSE(started.structured->contains("previews")) << *started.structured;
  EXPECT_EQ(text_of(started).find("Preview"), std::string::npos) << text_of(started);

  // Without wait_for_port the call returns at once, with what listens already.
  auto other = call("process_start", {{"project", "alpha"}, {"command", "sleep 30"}});
  ASSERT_FALSE(other.is_error) << text_of(other);
  EXPECT_EQ((*other.structured)["ports"], json({8000}));

  auto status = call("devcontainer_status", {{"project", "alpha"}});
  EXPECT_EQ((*status.structured)["ports"], json({8000}));
  EXPECT_FALSE(status.structured->contains("previews"));
}

TEST_F(ExecPreviewsTest, AProcessThatEndsBeforeListeningIsAnErrorWithItsOutput) {
  register_exec_tools(registry_, *manager_, &links_);
  auto failed = call("process_start", {{"project", "alpha"},
                                       {"command", "echo cannot find vite >&2; exit 3"},
                                       {"wait_for_port", 5173}});
  ASSERT_TRUE(failed.is_error);
  const std::string text = text_of(failed);
  EXPECT_NE(text.find("ended before anything listened on port 5173"), std::string::npos) << text;
  EXPECT_NE(text.find("exited 3"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot find vite"), std::string::npos) << text;
}

TEST_F(ExecPreviewsTest, AWaitThatRunsOutLeavesTheProcessRunning) {
  register_process_tools(registry_, *manager_, {.previews = &links_, .port_wait_limit = 300ms});
  const auto began = std::chrono::steady_clock::now();
  auto waited = call("process_start",
                     {{"project", "alpha"}, {"command", "sleep 30"}, {"wait_for_port", 5173}});
  EXPECT_GE(std::chrono::steady_clock::now() - began, 300ms);
  ASSERT_TRUE(waited.is_error);
  const std::string text = text_of(waited);
  EXPECT_NE(text.find("nothing listens on port 5173"), std::string::npos) << text;
  EXPECT_NE(text.find("still running"), std::string::npos) << text;
  auto listed = call("process_list", {{"project", "alpha"}});
  ASSERT_EQ((*listed.structured)["processes"].size(), 1u);
  const json& process = (*listed.structured)["processes"][0];
  EXPECT_EQ(process["running"], true);
  EXPECT_NE(text.find(process["process_id"].get<std::string>()), std::string::npos) << text;
}

TEST_F(ExecPreviewsTest, ACancelledWaitEndsAtOnceAndLeavesTheProcessRunning) {
  register_process_tools(registry_, *manager_, {.previews = &links_});  // the 60 s default
  CancellationSource cancel;
  cancel.cancel();
  ToolContext context(cancel.token(), {}, json::object(), "2025-06-18");
  const auto began = std::chrono::steady_clock::now();
  auto cancelled =
      call("process_start",
           {{"project", "alpha"}, {"command", "sleep 30"}, {"wait_for_port", 5173}}, context);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 30s);
  ASSERT_TRUE(cancelled.is_error);
  EXPECT_NE(text_of(cancelled).find("cancelled while waiting for port 5173"), std::string::npos)
      << text_of(cancelled);
  auto listed = call("process_list", {{"project", "alpha"}});
  ASSERT_EQ((*listed.structured)["processes"].size(), 1u);
  EXPECT_EQ((*listed.structured)["processes"][0]["running"], true);
}

TEST_F(ExecPreviewsTest, WaitForPortIsAPort) {
  register_exec_tools(registry_, *manager_, &links_);
  for (const json& port : {json(0), json(65536), json("8000")}) {
    auto refused =
        call("process_start", {{"project", "alpha"}, {"command", "true"}, {"wait_for_port", port}});
    EXPECT_TRUE(refused.is_error) << port;
  }
  auto listed = call("process_list", {{"project", "alpha"}});
  EXPECT_TRUE((*listed.structured)["processes"].empty()) << "a refused call started something";
}

}  // namespace
}  // namespace benchtop::testing
