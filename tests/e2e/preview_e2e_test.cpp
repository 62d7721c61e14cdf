// Live previews through the real binary: `benchtop serve` with a token, a dev server started in a
// project's sandbox (tests/fixtures/preview_app/server.py: a page with an absolute asset path and
// a WebSocket echo), and HTTP clients that address the preview by its host name.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "e2e/serve_session.h"
#include "e2e/server_process.h"
#include "support/raw_http_client.h"

namespace benchtop::e2e {
namespace {

using nlohmann::json;
using test::RawClient;
using test::status_of;

constexpr const char* kToken = "preview-e2e-token";
constexpr int kDevPort = 5173;

std::string fixture(const std::string& name) {
  std::ifstream file(std::string(BENCHTOP_FIXTURES_DIR) + "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A client frame: text, final, masked (RFC 6455 section 5.3 requires clients to mask).
std::string masked_text_frame(const std::string& payload) {
  std::string frame;
  frame += static_cast<char>(0x81);
  frame += static_cast<char>(0x80 | payload.size());  // payloads under 126 bytes here
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  frame.append(mask, 4);
  for (size_t i = 0; i < payload.size(); ++i) frame += static_cast<char>(payload[i] ^ mask[i % 4]);
  return frame;
}

class PreviewE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = start_serve(serve_);
    ASSERT_GT(port_, 0);
    session_.emplace(port_, kToken);
    project_ = create_project("web");
    json written = session_->call(
        "fs_write",
        {{"project", "web"}, {"path", "server.py"}, {"content", fixture("preview_app/server.py")}});
    ASSERT_FALSE(written.value("isError", false)) << written;
    started_ = session_->call("process_start",
                              {{"project", "web"},
                               {"command", "exec python3 server.py " + std::to_string(kDevPort)},
                               {"wait_for_port", kDevPort}});
    ASSERT_FALSE(started_.value("isError", false)) << started_;
  }

  void TearDown() override {
    for (const std::string name : {"web", "other"}) {
      if (session_) session_->call("devcontainer_destroy", {{"project", name}, {"confirm", name}});
    }
    // It stops cleanly on SIGTERM: exit status 0, also under the sanitizers.
    EXPECT_EQ(serve_.terminate(), 0) << serve_.stderr_text();
  }

  std::string create_project(const std::string& name) {
    json made = session_->call("project_create", {{"name", name}});
    EXPECT_FALSE(made.value("isError", false)) << made;
    return made["structuredContent"]["project"].value("id", "");
  }

  std::string host(int dev_port = kDevPort, std::string project = "") const {
    return "p" + std::to_string(dev_port) + "-" + (project.empty() ? project_ : project) +
           ".localhost:" + std::to_string(port_);
  }

  // One request on a new connection, as a browser's first request to the preview would be.
  std::string fetch(const std::string& target, const std::string& headers,
                    const std::string& host_value = "") {
    RawClient client(port_);
    EXPECT_TRUE(client.send("GET " + target +
                            " HTTP/1.1\r\nHost: " + (host_value.empty() ? host() : host_value) +
                            "\r\n" + headers + "\r\n"));
    return client.read_response();
  }

  TempDir data_;
  ServerProcess serve_{
      {"serve", "--data-dir", data_.path().string(), "--listen", "127.0.0.1:0", "--token", kToken}};
  int port_ = 0;
  std::optional<HttpSession> session_;
  std::string project_;
  json started_;
};

TEST_F(PreviewE2e, ThePageAndItsAbsoluteAssetsAreServedAtThePreviewsOwnOrigin) {
  const std::string bearer = std::string("Authorization: Bearer ") + kToken + "\r\n";
  const std::string page = fetch("/", bearer);
  EXPECT_EQ(status_of(page), 200) << page;
  EXPECT_NE(page.find("Hello from the sandbox"), std::string::npos) << page;
  const std::string script = fetch("/assets/app.js", bearer);
  EXPECT_EQ(status_of(script), 200) << script;
  EXPECT_NE(script.find("new WebSocket"), std::string::npos);

  // The dev server sees the preview's Host and no benchtop credential.
  const std::string seen = fetch("/headers", bearer);
  EXPECT_NE(seen.find("Host: " + host()), std::string::npos) << seen;
  EXPECT_EQ(seen.find(kToken), std::string::npos) << seen;
}

TEST_F(PreviewE2e, WithoutTheTokenCookieOrPassThePreviewIsRefused) {
  const std::string refused = fetch("/", "");
  EXPECT_EQ(status_of(refused), 401) << refused;
  EXPECT_EQ(refused.find("Hello from the sandbox"), std::string::npos);
  const std::string wrong = fetch("/", "Authorization: Bearer not-the-token\r\n");
  EXPECT_EQ(status_of(wrong), 401) << wrong;
  const std::string forged =
      fetch("/", "Cookie: benchtop_preview=1999999999.bm9uY2U.c2lnbmF0dXJl\r\n");
  EXPECT_EQ(status_of(forged), 401) << forged;
}

TEST_F(PreviewE2e, TheLinkBenchtopGivesLogsTheBrowserInToThatPreviewOnly) {
  // process_start reports the port it waited for, with its preview URL.
  const json& previews = started_["structuredContent"]["previews"];
  ASSERT_TRUE(previews.is_array() && !previews.empty()) << started_;
  const std::string url = previews[0].value("url", "");
  const std::string origin = "http://" + host();
  ASSERT_EQ(url.rfind(origin + "/?benchtop_pass=", 0), 0u) << url;

  const std::string exchanged = fetch(url.substr(origin.size()), "");
  ASSERT_EQ(status_of(exchanged), 303) << exchanged;
  EXPECT_NE(exchanged.find("Location: /\r\n"), std::string::npos) << exchanged;
  const size_t at = exchanged.find("Set-Cookie: ");
  ASSERT_NE(at, std::string::npos) << exchanged;
  const std::string cookie = exchanged.substr(at + 12, exchanged.find(';', at) - at - 12);

  const std::string page = fetch("/", "Cookie: " + cookie + "\r\n");
  EXPECT_EQ(status_of(page), 200) << page;
  // The same cookie does not open another port of the project.
  const std::string other_port = fetch("/", "Cookie: " + cookie + "\r\n", host(kDevPort + 1));
  EXPECT_EQ(status_of(other_port), 401) << other_port;
}

TEST_F(PreviewE2e, AWebSocketRoundTripsThroughThePreview) {
  RawClient client(port_);
  ASSERT_TRUE(client.send("GET /ws HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Bearer " +
                          kToken + "\r\nOrigin: http://" + host() +
                          "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
  const std::string handshake = client.read_until(
      [](const std::string& text) { return text.find("\r\n\r\n") != std::string::npos; },
      std::chrono::seconds(10));
  ASSERT_EQ(status_of(handshake), 101) << handshake;
  EXPECT_NE(handshake.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos)
      << handshake;
  client.forget_received();
  for (const std::string message : {"first message", "second message"}) {
    ASSERT_TRUE(client.send(masked_text_frame(message)));
    const std::string echoed = client.read_until(
        [&](const std::string& text) { return text.size() >= 2 + message.size(); },
        std::chrono::seconds(10));
    ASSERT_GE(echoed.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(echoed[0]), 0x81);
    EXPECT_EQ(echoed.substr(2), message);
    client.forget_received();
  }
}

TEST_F(PreviewE2e, AnotherSitesPagesAndOtherProjectsCannotUseIt) {
  const std::string bearer = std::string("Authorization: Bearer ") + kToken + "\r\n";
  const std::string cross_site = fetch("/", bearer + "Origin: http://evil.example\r\n");
  EXPECT_EQ(status_of(cross_site), 403) << cross_site;
  const std::string chat_page =
      fetch("/", bearer + "Origin: http://localhost:" + std::to_string(port_) + "\r\n");
  EXPECT_EQ(status_of(chat_page), 403) << chat_page;

  // Another project has no dev server: its preview of the same port reaches nothing, and its
  // sandbox cannot reach the first one's.
  const std::string other = create_project("other");
  const std::string elsewhere = fetch("/", bearer, host(kDevPort, other));
  EXPECT_EQ(status_of(elsewhere), 502) << elsewhere;
  json curl = session_->call("shell_exec", {{"project", "other"},
                                            {"command",
                                             "python3 -c \"import urllib.request as u; "
                                             "u.urlopen('http://127.0.0.1:" +
                                                 std::to_string(kDevPort) + "/', timeout=5)\""}});
  EXPECT_NE(curl["structuredContent"].value("exit_code", 0), 0) << curl;
  // A project that does not exist.
  const std::string missing =
      fetch("/", bearer, host(kDevPort, "00000000-0000-4000-8000-000000000000"));
  EXPECT_EQ(status_of(missing), 404) << missing;
}

}  // namespace
}  // namespace benchtop::e2e
