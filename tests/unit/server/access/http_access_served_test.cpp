// The DNS-rebinding defence through the real HTTP stack: raw requests, byte for byte as a browser
// on a rebinding page would send them, to /mcp, /api and /healthz of a served router.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tests/support/served_chat.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;

const std::string kInitialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

// One raw HTTP/1.1 request; `headers` are complete lines without the line ending.
std::string raw_request(const std::string& method, const std::string& path,
                        const std::vector<std::string>& headers, const std::string& body = "") {
  std::string text = method + " " + path + " HTTP/1.1\r\n";
  for (const auto& header : headers) text += header + "\r\n";
  text += "Connection: close\r\n";
  if (!body.empty() || method == "POST") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return text + "\r\n" + body;
}

bool has_cors_header(const std::string& answer) {
  std::string lower = answer;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("access-control-allow-origin") != std::string::npos;
}

class HttpAccessServedTest : public ::testing::Test {
 protected:
  std::string host() const { return "Host: 127.0.0.1:" + std::to_string(served_.port()); }
  std::string own_origin() const { return "Origin: " + served_.origin(); }
  ServedChat served_{HttpAccessPolicy{}};
};

TEST_F(HttpAccessServedTest, ARebindingPageCannotDriveMcp) {
  const std::vector<std::string> mcp_headers = {"Content-Type: application/json",
                                                "Accept: application/json, text/event-stream"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), mcp_headers.begin(), mcp_headers.end());
    return raw_request("POST", "/mcp", extra, kInitialize);
  };
  const std::string port = std::to_string(served_.port());
  // The page's own name in Host, as after a DNS rebinding, with and without its Origin.
  for (const std::string& rebound : std::vector<std::string>{
           "127.evil.example", "127.evil.example:" + port, "127.0.0.1.evil.example:" + port}) {
    SCOPED_TRACE(rebound);
    const std::string answer = served_.raw(with({"Host: " + rebound}));
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 403") << answer;
    EXPECT_FALSE(has_cors_header(answer)) << answer;
    EXPECT_EQ(served_.raw_status(with({"Host: " + rebound, "Origin: http://" + rebound})), 403);
  }
  // A loopback Host but the page's Origin: refused, and no CORS header lets it read anything.
  for (const std::string& origin :
       std::vector<std::string>{"http://127.evil.example", "http://127.evil.example:" + port,
                                "null", "http://localhost:" + std::to_string(served_.port() + 1)}) {
    SCOPED_TRACE(origin);
    const std::string answer = served_.raw(with({host(), "Origin: " + origin}));
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 403") << answer;
    EXPECT_FALSE(has_cors_header(answer)) << answer;
    const std::string preflight =
        served_.raw(raw_request("OPTIONS", "/mcp",
                                {host(), "Origin: " + origin, "Access-Control-Request-Method: POST",
                                 "Access-Control-Request-Headers: content-type"}));
    EXPECT_FALSE(has_cors_header(preflight)) << preflight;
  }
  // Two Host headers: refused whichever comes first.
  EXPECT_GE(served_.raw_status(with({host(), "Host: 127.evil.example"})), 400);
  EXPECT_GE(served_.raw_status(with({"Host: 127.evil.example", host()})), 400);

  // The server's own page (same origin) and clients sending no Origin still work.
  EXPECT_EQ(served_.raw_status(with({host(), own_origin()})), 200);
  EXPECT_EQ(served_.raw_status(with({host()})), 200);
}

TEST_F(HttpAccessServedTest, PostsMustCarryJsonSoNoSimpleCrossSiteRequestGetsThrough) {
  const std::string thread = R"({"project":"demo"})";
  // text/plain, form and multipart bodies are what a page may send cross-site without a preflight.
  // (A multipart body that is not well-formed may already be refused by the HTTP layer, with 400.)
  for (const char* type :
       {"text/plain", "text/plain; charset=application/json", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x"}) {
    SCOPED_TRACE(type);
    const bool multipart = std::string_view(type).starts_with("multipart/");
    const auto refused = [&](int status) { return status == 415 || (multipart && status == 400); };
    EXPECT_PRED1(refused, served_.raw_status(
                              raw_request("POST", "/api/threads",
                                          {host(), std::string("Content-Type: ") + type}, thread)));
    EXPECT_PRED1(refused,
                 served_.raw_status(raw_request("POST", "/mcp",
                                                {host(), std::string("Content-Type: ") + type,
                                                 "Accept: application/json, text/event-stream"},
                                                kInitialize)));
  }
  EXPECT_EQ(served_.raw_status(raw_request("POST", "/api/threads", {host()}, thread)), 415);
  EXPECT_EQ(served_.raw_status(raw_request("POST", "/api/threads/x/cancel", {host()})), 415);
  // The rebinding page's text/plain POST is refused before its body type is even looked at.
  EXPECT_EQ(
      served_.raw_status(raw_request(
          "POST", "/api/threads",
          {"Host: 127.evil.example", "Origin: http://127.evil.example", "Content-Type: text/plain"},
          thread)),
      403);
  // The page's own JSON POST works.
  EXPECT_EQ(served_.raw_status(raw_request(
                "POST", "/api/threads",
                {host(), own_origin(), "Content-Type: application/json; charset=utf-8"}, thread)),
            201);
}

TEST(HttpAccessServedToken, HealthzNeedsTheTokenWhenOneIsSet) {
  HttpAccessPolicy policy;
  policy.token = "s3cret";
  ServedChat served{policy};
  const std::string host = "Host: 127.0.0.1:" + std::to_string(served.port());
  EXPECT_EQ(served.raw_status(raw_request("GET", "/healthz", {host})), 401);
  EXPECT_EQ(served.raw_status(raw_request("GET", "/healthz", {host, "Authorization: Bearer no"})),
            401);
  EXPECT_EQ(
      served.raw_status(raw_request("GET", "/healthz", {host, "Authorization: Bearer s3cret"})),
      200);
  EXPECT_EQ(served.raw_status(raw_request(
                "GET", "/healthz", {"Host: 127.evil.example", "Authorization: Bearer s3cret"})),
            403);
}

}  // namespace
}  // namespace benchtop
