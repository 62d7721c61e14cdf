// Who may open a live preview, and what the dev server behind it gets to see. The gateway is
// called as the HTTP server calls it; the "sandbox" is a socketpair whose use is recorded.
#include "server/web/preview_gateway.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <vector>

namespace benchtop {
namespace {

using namespace std::chrono_literals;

constexpr const char* kProject = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr const char* kOtherProject = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

class PreviewGatewayTest : public ::testing::Test {
 protected:
  explicit PreviewGatewayTest(std::string token = "secret-token")
      : access_(HttpAccessPolicy{true, std::move(token), {}, {}}),
        gateway_(
            access_, links_, [](const std::string& id) { return id == kProject; },
            [this](const std::string& id, int port) -> Result<UniqueFd> {
              connected_.emplace_back(id, port);
              if (port == 9999) return Error::make("connection refused");
              int pair[2];
              if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
                return Error::make("socketpair failed");
              }
              peers_.emplace_back(pair[1]);
              return UniqueFd(pair[0]);
            }) {
    links_.serve_on(8765);
  }

  static std::string host(int port = 5173, const char* project = kProject) {
    return "p" + std::to_string(port) + "-" + project + ".localhost:8765";
  }

  TunnelRequest request(std::string target, std::vector<std::pair<std::string, std::string>> extra,
                        std::string method = "GET", std::string host_value = host()) {
    TunnelRequest request;
    request.target = target;
    request.head.method = std::move(method);
    const size_t question = target.find('?');
    request.head.path = target.substr(0, question);
    if (question != std::string::npos) {
      std::string query = target.substr(question + 1);
      size_t at = 0;
      while (at <= query.size()) {
        const size_t end = std::min(query.find('&', at), query.size());
        const std::string pair = query.substr(at, end - at);
        const size_t equals = pair.find('=');
        request.head.query.emplace_back(pair.substr(0, equals),
                                        equals == std::string::npos ? "" : pair.substr(equals + 1));
        at = end + 1;
      }
    }
    request.head.headers.emplace_back("Host", std::move(host_value));
    for (auto& header : extra) request.head.headers.push_back(std::move(header));
    request.head.remote_address = "127.0.0.1";
    return request;
  }

  std::string cookie_for(int port, const char* project = kProject,
                         std::chrono::seconds valid_for = 1h) {
    return std::string(kPreviewCookie) + "=" +
           links_.passes().issue(PreviewAddress{project, static_cast<uint16_t>(port)},
                                 PreviewPasses::Clock::now() + valid_for);
  }

  static std::optional<std::string> response_header(const HttpResponse& response,
                                                    std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }

  PreviewLinks links_;
  HttpAccess access_;
  std::vector<std::pair<std::string, int>> connected_;
  std::vector<UniqueFd> peers_;
  PreviewGateway gateway_;
};

class OpenPreviewGatewayTest : public PreviewGatewayTest {
 protected:
  OpenPreviewGatewayTest() : PreviewGatewayTest("") {}
};

TEST_F(PreviewGatewayTest, ClaimsOnlyPreviewHostNames) {
  EXPECT_TRUE(PreviewGateway::claims(host()));
  EXPECT_TRUE(PreviewGateway::claims("P5173-0F8FAD5B-D9CB-469F-A165-70867728950E.LOCALHOST:8765"));
  EXPECT_FALSE(PreviewGateway::claims("localhost:8765"));
  EXPECT_FALSE(PreviewGateway::claims("127.0.0.1:8765"));
  EXPECT_FALSE(
      PreviewGateway::claims(std::string("p5173-") + kProject + ".localhost.evil.example"));
  EXPECT_FALSE(PreviewGateway::claims(std::string("x.p5173-") + kProject + ".localhost"));
  EXPECT_FALSE(PreviewGateway::claims(std::string("p05173-") + kProject + ".localhost"));
  EXPECT_FALSE(PreviewGateway::claims(""));
}

TEST_F(PreviewGatewayTest, WithoutCredentialsThePreviewIsRefused) {
  const auto answer = gateway_.open(request("/", {}));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 401);
  EXPECT_TRUE(connected_.empty());
}

TEST_F(PreviewGatewayTest, APassIsExchangedForAHostOnlyCookieAndLeavesTheUrl) {
  const std::string pass =
      links_.url(PreviewAddress{kProject, 5173})->substr(std::string("http://").size());
  const std::string target = pass.substr(pass.find('/'));  // "/?benchtop_pass=..."
  auto answer = gateway_.open(request("/app" + target.substr(1) + "&tab=2", {}));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 303);
  EXPECT_EQ(response_header(*answer.response, "Location"), "/app?tab=2");
  const auto cookie = response_header(*answer.response, "Set-Cookie");
  ASSERT_TRUE(cookie);
  EXPECT_EQ(cookie->rfind(std::string(kPreviewCookie) + "=", 0), 0u) << *cookie;
  EXPECT_NE(cookie->find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie->find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie->find("Domain"), std::string::npos) << "a preview's cookie is host-only";
  EXPECT_TRUE(connected_.empty());

  // The cookie then opens the preview.
  const std::string value = cookie->substr(0, cookie->find(';'));
  answer = gateway_.open(request("/app?tab=2", {{"Cookie", value}}));
  EXPECT_FALSE(answer.response);
  ASSERT_EQ(connected_.size(), 1u);
  EXPECT_EQ(connected_[0], std::make_pair(std::string(kProject), 5173));
}

TEST_F(PreviewGatewayTest, APassOrCookieOpensOnlyItsOwnPreview) {
  const std::string other_port_pass =
      links_.passes().issue(PreviewAddress{kProject, 3000}, PreviewPasses::Clock::now() + 1h);
  auto answer = gateway_.open(request("/?benchtop_pass=" + other_port_pass, {}));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 401);

  answer = gateway_.open(request("/", {{"Cookie", cookie_for(3000)}}));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 401);
  answer = gateway_.open(request("/", {{"Cookie", cookie_for(5173, kOtherProject)}}));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 401);
  answer = gateway_.open(request("/", {{"Cookie", cookie_for(5173, kProject, -1s)}}));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 401) << "an expired cookie";

  // Another signer's pass (another server) is refused too.
  PreviewLinks elsewhere;
  const std::string foreign =
      elsewhere.passes().issue(PreviewAddress{kProject, 5173}, PreviewPasses::Clock::now() + 1h);
  answer = gateway_.open(request("/?benchtop_pass=" + foreign, {}));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 401);
  EXPECT_TRUE(connected_.empty());
}

TEST_F(PreviewGatewayTest, ForeignOriginsAreRefusedEvenWithAValidCookie) {
  for (const std::string& origin :
       std::vector<std::string>{"http://localhost:8765", "http://evil.example", "null",
                                "http://p3000-" + std::string(kProject) + ".localhost:8765",
                                "https://p5173-" + std::string(kProject) + ".localhost:8765",
                                "http://p5173-" + std::string(kProject) + ".localhost:8766"}) {
    const auto answer = gateway_.open(request(
        "/ws", {{"Cookie", cookie_for(5173)}, {"Origin", origin}, {"Upgrade", "websocket"}}));
    ASSERT_TRUE(answer.response) << origin;
    EXPECT_EQ(answer.response->status, 403) << origin;
  }
  EXPECT_TRUE(connected_.empty());
  const auto own = gateway_.open(
      request("/ws", {{"Cookie", cookie_for(5173)},
                      {"Origin", "http://p5173-" + std::string(kProject) + ".localhost:8765"}}));
  EXPECT_FALSE(own.response);
}

TEST_F(PreviewGatewayTest, ABadHostOrAMissingProjectIsRefused) {
  auto two_hosts = request("/", {{"Host", host()}, {"Cookie", cookie_for(5173)}});
  auto answer = gateway_.open(two_hosts);
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 400);
  answer = gateway_.open(request("/", {{"Cookie", cookie_for(5173, kOtherProject)}}, "GET",
                                 host(5173, kOtherProject)));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 404);
}

TEST_F(PreviewGatewayTest, TheDevServerGetsTheRequestWithoutBenchtopsCredentials) {
  const auto answer =
      gateway_.open(request("/api/items?x=%41",
                            {{"Cookie", "theme=dark; " + cookie_for(5173) + "; session=abc"},
                             {"Authorization", "Basic YXBwOnVzZXI="},
                             {"Connection", "keep-alive, X-Secret-Hop"},
                             {"X-Secret-Hop", "1"},
                             {"Keep-Alive", "timeout=5"},
                             {"X-Forwarded-For", "6.6.6.6"},
                             {"Accept", "text/html"}},
                            "POST"));
  ASSERT_FALSE(answer.response);
  const std::string& head = answer.head;
  EXPECT_EQ(head.rfind("POST /api/items?x=%41 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nHost: " + host() + "\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nCookie: theme=dark; session=abc\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find(kPreviewCookie), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nAuthorization: Basic YXBwOnVzZXI=\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("keep-alive"), std::string::npos) << head;
  EXPECT_EQ(head.find("X-Secret-Hop"), std::string::npos) << head;
  EXPECT_EQ(head.find("6.6.6.6"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nX-Forwarded-For: 127.0.0.1\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nAccept: text/html\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

TEST_F(PreviewGatewayTest, TheBearerTokenAdmitsAndIsNotPassedOn) {
  const auto answer =
      gateway_.open(request("/", {{"Authorization", "Bearer secret-token"}}, "GET"));
  ASSERT_FALSE(answer.response);
  EXPECT_EQ(answer.head.find("secret-token"), std::string::npos) << answer.head;
  EXPECT_EQ(answer.head.find("Authorization"), std::string::npos) << answer.head;
  const auto wrong = gateway_.open(request("/", {{"Authorization", "Bearer guess"}}));
  ASSERT_TRUE(wrong.response);
  EXPECT_EQ(wrong.response->status, 401);
}

TEST_F(PreviewGatewayTest, AWebSocketUpgradeKeepsItsUpgradeHeaders) {
  const auto answer =
      gateway_.open(request("/ws", {{"Cookie", cookie_for(5173)},
                                    {"Connection", "keep-alive, Upgrade"},
                                    {"Upgrade", "websocket"},
                                    {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                    {"Sec-WebSocket-Version", "13"}}));
  ASSERT_FALSE(answer.response);
  EXPECT_NE(answer.head.find("\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"),
            std::string::npos)
      << answer.head;
  EXPECT_NE(answer.head.find("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
            std::string::npos);
  EXPECT_EQ(answer.head.find("Connection: close"), std::string::npos);
}

TEST_F(PreviewGatewayTest, NothingListeningIsABadGatewayNamingThePort) {
  const auto answer =
      gateway_.open(request("/", {{"Cookie", cookie_for(9999)}}, "GET", host(9999)));
  ASSERT_TRUE(answer.response);
  EXPECT_EQ(answer.response->status, 502);
  EXPECT_NE(answer.response->body.find("port 9999"), std::string::npos);
}

TEST_F(OpenPreviewGatewayTest, AServerWithoutATokenAdmitsLoopbackCallersLikeTheChatPage) {
  const auto answer = gateway_.open(request("/", {}));
  EXPECT_FALSE(answer.response);
  ASSERT_EQ(connected_.size(), 1u);
}

}  // namespace
}  // namespace benchtop
