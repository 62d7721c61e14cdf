// Opening the chat page on a server started with a token: login by /?token= or the login form,
// the session cookie it sets, what that cookie may and may not authorise. Real HTTP on loopback
// through HttpServer, with the chat routes and /mcp on one router as `benchtop serve` has them.
#include "server/web/chat_login.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/access/session_cookie.h"
#include "tests/support/served_chat.h"
#include "transport/json_rpc.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

// Characters that need encoding in a URL and a form body, so decoding is exercised.
constexpr const char* kToken = "tok en+/&=9";
constexpr const char* kEncodedToken = "tok%20en%2B%2F%26%3D9";

HttpAccessPolicy with_token(std::chrono::seconds lifetime = std::chrono::hours(1)) {
  HttpAccessPolicy policy;
  policy.token = kToken;
  policy.browser_session_lifetime = lifetime;
  return policy;
}

std::pair<std::string, std::string> bearer() {
  return {"Authorization", std::string("Bearer ") + kToken};
}

const std::string kNewThread = Json{{"project", "demo"}}.dump();

std::string initialize_body() {
  return jsonrpc::serialize(
      jsonrpc::make_request(1, "initialize",
                            {{"protocolVersion", "2025-11-25"},
                             {"capabilities", Json::object()},
                             {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
}

// Logs in with /?token= and returns the "name=value" cookie pair.
std::string log_in(ServedChat& served) {
  const Reply reply = served.fetch("GET", std::string("/?token=") + kEncodedToken);
  EXPECT_EQ(reply.status, 303) << reply.body;
  EXPECT_FALSE(reply.cookie().empty());
  return reply.cookie();
}

TEST(ChatLoginTest, WithoutATokenThePageAndApiWorkAsBefore) {
  ServedChat served{HttpAccessPolicy{}};
  const Reply page = served.fetch("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>benchtop chat</title>"), std::string::npos);
  EXPECT_EQ(served.fetch("GET", "/api/threads").status, 200);
  EXPECT_EQ(served.fetch("POST", "/api/threads", {}, kNewThread).status, 201);
}

TEST(ChatLoginTest, WithATokenTheBearerHeaderStillWorks) {
  ServedChat served{with_token()};
  const Reply page = served.fetch("GET", "/", {bearer()});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>benchtop chat</title>"), std::string::npos);
  EXPECT_EQ(served.fetch("GET", "/api/threads", {bearer()}).status, 200);
  // Scripts send no Origin; with the bearer header no same-origin proof is needed.
  EXPECT_EQ(served.fetch("POST", "/api/threads", {bearer()}, kNewThread).status, 201);
}

TEST(ChatLoginTest, ABrowserWithoutCredentialsGetsTheLoginPage) {
  ServedChat served{with_token()};
  const Reply page = served.fetch("GET", "/");
  EXPECT_EQ(page.status, 401);
  EXPECT_EQ(page.header("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_NE(page.body.find(R"(<form method="post" action="/login">)"), std::string::npos);
  EXPECT_NE(page.body.find(R"(name="token")"), std::string::npos);
  EXPECT_EQ(page.header("Set-Cookie"), "");
  EXPECT_EQ(page.body.find("<title>benchtop chat</title>"), std::string::npos);
  // Under "no-referrer" the form's POST would carry `Origin: null` and be refused.
  EXPECT_EQ(page.header("Referrer-Policy"), "same-origin");

  const Reply api = served.fetch("GET", "/api/threads");
  EXPECT_EQ(api.status, 401);
  EXPECT_NE(Json::parse(api.body)["error"].get<std::string>().find("/?token="), std::string::npos);
}

TEST(ChatLoginTest, AWrongTokenIsRefusedWithoutACookie) {
  ServedChat served{with_token()};
  for (const char* target : {"/?token=nope", "/?token=", "/?token=tok%20en%2B%2F%26%3D"}) {
    const Reply reply = served.fetch("GET", target);
    EXPECT_EQ(reply.status, 401) << target;
    EXPECT_EQ(reply.header("Set-Cookie"), "") << target;
    EXPECT_NE(reply.body.find("not the one"), std::string::npos) << target;
  }
  const Reply form =
      served.fetch("POST", "/login", {}, "token=nope", "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 401);
  EXPECT_EQ(form.header("Set-Cookie"), "");
}

TEST(ChatLoginTest, TheRightTokenRedirectsAndSetsASessionCookieThatOpensPageAndApi) {
  ServedChat served{with_token()};
  const Reply login = served.fetch("GET", std::string("/?token=") + kEncodedToken);
  ASSERT_EQ(login.status, 303) << login.body;
  EXPECT_EQ(login.header("Location"), "/");
  const std::string set_cookie = login.header("Set-Cookie");
  EXPECT_EQ(set_cookie.rfind("benchtop_session_" + std::to_string(served.port()) + "=", 0), 0u)
      << set_cookie;
  for (const char* attribute : {"; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=3600"}) {
    EXPECT_NE(set_cookie.find(attribute), std::string::npos) << attribute << " in " << set_cookie;
  }
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // plain HTTP here
  // Behind a TLS-terminating proxy the cookie is kept off plain HTTP.
  const Reply proxied = served.fetch("GET", std::string("/?token=") + kEncodedToken,
                                     {{"X-Forwarded-Proto", "https"}});
  EXPECT_NE(proxied.header("Set-Cookie").find("; Secure"), std::string::npos);
  EXPECT_EQ(set_cookie.find("tok"), std::string::npos) << "the cookie must not carry the token";

  const std::string cookie = login.cookie();
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", cookie}}).status, 200);
  const Reply page = served.fetch("GET", "/", {{"Cookie", "theme=dark; " + cookie}});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>benchtop chat</title>"), std::string::npos);

  // State changes from the page itself carry its own origin.
  const Reply created = served.fetch("POST", "/api/threads",
                                     {{"Cookie", cookie}, {"Origin", served.origin()}}, kNewThread);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Json::parse(created.body)["id"];
  EXPECT_EQ(
      served
          .fetch("DELETE", "/api/threads/" + id, {{"Cookie", cookie}, {"Origin", served.origin()}})
          .status,
      200);
}

TEST(ChatLoginTest, TheLoginFormSetsTheCookieToo) {
  ServedChat served{with_token()};
  const Reply login =
      served.fetch("POST", "/login", {{"Origin", served.origin()}},
                   std::string("token=") + kEncodedToken, "application/x-www-form-urlencoded");
  ASSERT_EQ(login.status, 303) << login.body;
  EXPECT_EQ(login.header("Location"), "/");
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", login.cookie()}}).status, 200);
}

TEST(ChatLoginTest, TheCookieNeverAuthorisesMcp) {
  ServedChat served{with_token()};
  const std::string cookie = log_in(served);
  const std::vector<std::pair<std::string, std::string>> mcp_headers = {
      {"Accept", "application/json, text/event-stream"}};

  auto with = [&](std::vector<std::pair<std::string, std::string>> extra) {
    auto headers = mcp_headers;
    headers.insert(headers.end(), extra.begin(), extra.end());
    return headers;
  };
  EXPECT_EQ(served.fetch("POST", "/mcp", with({{"Cookie", cookie}}), initialize_body()).status,
            401);
  EXPECT_EQ(served
                .fetch("POST", "/mcp", with({{"Cookie", cookie}, {"Origin", served.origin()}}),
                       initialize_body())
                .status,
            401);
  EXPECT_EQ(served.fetch("POST", "/mcp", with({bearer()}), initialize_body()).status, 200);
}

TEST(ChatLoginTest, ForgedAndForeignCookiesAreRefused) {
  ServedChat served{with_token()};
  const std::string cookie = log_in(served);
  const auto equals = cookie.find('=');
  const std::string name = cookie.substr(0, equals);
  const std::string value = cookie.substr(equals + 1);

  std::string flipped_mac = value;
  flipped_mac.back() = flipped_mac.back() == 'A' ? 'B' : 'A';
  // A later expiry with the old signature.
  std::string stretched = value;
  stretched.front() = stretched.front() == '9' ? '8' : '9';
  // A cookie signed by another process (another key).
  const std::string foreign = SessionCookieSigner().issue(std::chrono::system_clock::now() + 1h);

  for (const std::string& forged :
       {flipped_mac, stretched, foreign, std::string(kToken), std::string("")}) {
    EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", name + "=" + forged}}).status, 401)
        << forged;
  }
  // The right value under another server's name (another port) does not count either.
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", "benchtop_session_1=" + value}}).status,
            401);
}

TEST(ChatLoginTest, AnExpiredCookieIsRefused) {
  // A lifetime of zero: the cookie is already expired when it arrives back.
  ServedChat served{with_token(std::chrono::seconds(0))};
  const std::string cookie = log_in(served);
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", cookie}}).status, 401);
  EXPECT_EQ(served.fetch("GET", "/", {{"Cookie", cookie}}).status, 401);
}

TEST(ChatLoginTest, ACookieStateChangeWithoutSameOriginIsRefused) {
  ServedChat served{with_token()};
  const std::string cookie = log_in(served);
  // No Origin at all.
  EXPECT_EQ(served.fetch("POST", "/api/threads", {{"Cookie", cookie}}, kNewThread).status, 403);
  // Another local origin (a page on another port of this machine): not this server's own page.
  EXPECT_EQ(served
                .fetch("POST", "/api/threads",
                       {{"Cookie", cookie},
                        {"Origin", "http://localhost:" + std::to_string(served.port() + 1)}},
                       kNewThread)
                .status,
            403);
  // A foreign site.
  EXPECT_EQ(served
                .fetch("POST", "/api/threads",
                       {{"Cookie", cookie}, {"Origin", "https://evil.example"}}, kNewThread)
                .status,
            403);
  EXPECT_EQ(served.fetch("DELETE", "/api/threads/x", {{"Cookie", cookie}}).status, 403);
  // Reading with the cookie needs no Origin (a top-level navigation sends none).
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", cookie}}).status, 200);
}

TEST(ChatLoginTest, LoggingOutRevokesTheCookieAndRemovesItFromTheBrowser) {
  ServedChat served{with_token()};
  const std::string cookie = log_in(served);
  const std::string other_browser = log_in(served);
  // Logging out is a state change: it must come from the page itself.
  EXPECT_EQ(served.fetch("POST", "/logout", {{"Cookie", cookie}}).status, 403);
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", cookie}}).status, 200);

  const Reply out =
      served.fetch("POST", "/logout", {{"Cookie", cookie}, {"Origin", served.origin()}});
  ASSERT_EQ(out.status, 303) << out.body;
  EXPECT_EQ(out.header("Location"), "/");
  const std::string removal = out.header("Set-Cookie");
  EXPECT_EQ(removal.rfind("benchtop_session_" + std::to_string(served.port()) + "=;", 0), 0u)
      << removal;
  EXPECT_NE(removal.find("Max-Age=0"), std::string::npos) << removal;
  // A copy of the cookie kept elsewhere no longer works either; another login still does.
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", cookie}}).status, 401);
  EXPECT_EQ(served.fetch("GET", "/", {{"Cookie", cookie}}).status, 401);
  EXPECT_EQ(served.fetch("GET", "/api/threads", {{"Cookie", other_browser}}).status, 200);
}

TEST(SessionCookieTest, ARevokedValueIsRefusedByEveryCopyOfTheSigner) {
  const SessionCookieSigner signer;
  const SessionCookieSigner copy = signer;
  const auto now = SessionCookieSigner::Clock::now();
  const std::string value = signer.issue(now + 10s);
  const std::string kept = signer.issue(now + 10s);
  copy.revoke(value, now);
  EXPECT_FALSE(signer.valid(value, now));
  EXPECT_FALSE(copy.valid(value, now));
  EXPECT_TRUE(signer.valid(kept, now));
  // Revoking what this signer never issued changes nothing.
  copy.revoke(SessionCookieSigner().issue(now + 10s), now);
  copy.revoke("not-a-cookie", now);
  EXPECT_TRUE(copy.valid(kept, now));
}

TEST(SessionCookieTest, IsValidUntilItsExpiryAndOnlyForItsSigner) {
  const SessionCookieSigner signer;
  const auto now = SessionCookieSigner::Clock::now();
  const std::string value = signer.issue(now + 10s);
  EXPECT_TRUE(signer.valid(value, now));
  EXPECT_TRUE(signer.valid(value, now + 9s));
  EXPECT_FALSE(signer.valid(value, now + 11s));
  EXPECT_FALSE(SessionCookieSigner().valid(value, now));
  EXPECT_NE(signer.issue(now + 10s), value) << "each login gets its own value";
  for (const std::string& garbage :
       std::vector<std::string>{"", ".", "..", "1.2.3", "abc", value + "x", "x" + value}) {
    EXPECT_FALSE(signer.valid(garbage, now)) << garbage;
  }
  EXPECT_EQ(value.find_first_of(" ;,=\""), std::string::npos) << value;
}

TEST(SessionCookieTest, CookieHeaderParsing) {
  EXPECT_EQ(cookie_values("a=1; b=2; a=\"3\";a = 4", "a"),
            (std::vector<std::string>{"1", "3", "4"}));
  EXPECT_TRUE(cookie_values("ab=1; b", "a").empty());
  EXPECT_EQ(form_field("x=1&token=a%2Bb+c%26&y", "token"), "a+b c&");
  EXPECT_EQ(form_field("x=1", "token"), "");
  EXPECT_EQ(form_field("token=%zz%4", "token"), "%zz%4");
}

}  // namespace
}  // namespace benchtop
