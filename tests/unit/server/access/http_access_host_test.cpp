// Host and Origin parsing (server/access/http_access_host.h) and the access decisions built on it,
// as tables of the inputs a DNS-rebinding page or a confused client can produce: look-alike names,
// trailing dots, case, ports, userinfo tricks, IPv6 forms and numeric IPv4 forms.
#include "server/access/http_access_host.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "server/access/http_access.h"

namespace benchtop {
namespace {

struct HostCase {
  std::string value;
  std::optional<std::string> authority;  // nullopt: refused as malformed
  bool loopback = false;
};

TEST(HttpAccessHost, HostHeaderTable) {
  const std::vector<HostCase> cases = {
      // Loopback names and literals.
      {"localhost", "localhost", true},
      {"localhost:8080", "localhost:8080", true},
      {"LOCALHOST:8080", "localhost:8080", true},
      {"LocalHost", "localhost", true},
      {"127.0.0.1", "127.0.0.1", true},
      {"127.0.0.1:65535", "127.0.0.1:65535", true},
      {"127.255.255.254:1", "127.255.255.254:1", true},
      {"127.1.2.3", "127.1.2.3", true},
      {"[::1]", "[::1]", true},
      {"[::1]:8080", "[::1]:8080", true},
      {"[0:0:0:0:0:0:0:1]:8080", "[::1]:8080", true},
      {"[::ffff:127.0.0.1]:80", "[::ffff:127.0.0.1]:80", true},
      {"[::FFFF:7F00:1]", "[::ffff:127.0.0.1]", true},
      // Look-alike names: well-formed, not loopback.
      {"127.evil.example", "127.evil.example", false},
      {"127.0.0.1.evil.example", "127.0.0.1.evil.example", false},
      {"localhost.evil.example", "localhost.evil.example", false},
      {"evil-localhost", "evil-localhost", false},
      {"localhost-evil.example:80", "localhost-evil.example:80", false},
      {"app.localhost", "app.localhost", false},  // *.localhost: another site, --allowed-host
      {"localhost.", "localhost.", false},        // a trailing dot is another name
      {"evil.example.", "evil.example.", false},
      {"0.0.0.0", "0.0.0.0", false},
      {"10.0.0.1:80", "10.0.0.1:80", false},
      {"128.0.0.1", "128.0.0.1", false},
      {"[::2]", "[::2]", false},
      {"[::]", "[::]", false},
      {"[::ffff:10.0.0.1]", "[::ffff:10.0.0.1]", false},
      {"[fe80::1]", "[fe80::1]", false},
      {"under_score.example", "under_score.example", false},
      // Numeric IPv4 forms a browser would have turned into a dotted quad: refused.
      {"2130706433", std::nullopt},
      {"0x7f000001", std::nullopt},
      {"0x7f.1", std::nullopt},
      {"0177.0.0.1", std::nullopt},
      {"127.1", std::nullopt},
      {"127.0.1", std::nullopt},
      {"127.000.000.001", std::nullopt},
      {"127.0.0.01", std::nullopt},
      {"127.0.0.1.", std::nullopt},
      {"127.0.0.256", std::nullopt},
      {"127.0.0.1.2", std::nullopt},
      {"evil.127", std::nullopt},
      {"evil.0x7f", std::nullopt},
      {"0x", std::nullopt},
      // Userinfo, paths, queries, escapes and other garbage.
      {"evil.example@localhost", std::nullopt},
      {"localhost@evil.example", std::nullopt},
      {"localhost:80@evil.example", std::nullopt},
      {"user:pass@127.0.0.1", std::nullopt},
      {"localhost/evil", std::nullopt},
      {"localhost?x", std::nullopt},
      {"localhost#x", std::nullopt},
      {"localhost\\evil.example", std::nullopt},
      {"local%68ost", std::nullopt},
      {"127.0.0.1%2eevil.example", std::nullopt},
      {"localhost evil.example", std::nullopt},
      {" localhost", std::nullopt},
      {"localhost\t", std::nullopt},
      {std::string("localhost\0evil", 14), std::nullopt},
      {"localhost\r\nX: y", std::nullopt},
      {"l\xc3\xb6"
       "calhost",
       std::nullopt},
      {"", std::nullopt},
      {".", std::nullopt},
      {".localhost", std::nullopt},
      {"local..host", std::nullopt},
      {"localhost..", std::nullopt},
      {"*.localhost", std::nullopt},
      {std::string(64, 'a') + ".example", std::nullopt},
      // Ports.
      {"localhost:", std::nullopt},
      {"localhost:0", std::nullopt},
      {"localhost:65536", std::nullopt},
      {"localhost:99999999999999999999", std::nullopt},
      {"localhost:080", std::nullopt},
      {"localhost:+80", std::nullopt},
      {"localhost:-1", std::nullopt},
      {"localhost:8o", std::nullopt},
      {"localhost:80:80", std::nullopt},
      {":8080", std::nullopt},
      // IPv6 forms.
      {"::1", std::nullopt},
      {"::1:8080", std::nullopt},
      {"[::1", std::nullopt},
      {"::1]", std::nullopt},
      {"[]", std::nullopt},
      {"[::1]8080", std::nullopt},
      {"[::1]:", std::nullopt},
      {"[::1]:8080:1", std::nullopt},
      {"[[::1]]", std::nullopt},
      {"[::1%25lo]", std::nullopt},
      {"[::1%lo]:80", std::nullopt},
      {"[fe80::1%25eth0]", std::nullopt},
      {"[127.0.0.1]", std::nullopt},
      {"[localhost]", std::nullopt},
      {"[::1]@evil.example", std::nullopt},
      {"[v1.fe80::a+en1]", std::nullopt},
  };
  for (const HostCase& c : cases) {
    SCOPED_TRACE("Host: " + c.value);
    const auto parsed = parse_host_header(c.value);
    ASSERT_EQ(parsed.has_value(), c.authority.has_value());
    if (!parsed) continue;
    EXPECT_EQ(parsed->authority(), *c.authority);
    EXPECT_EQ(parsed->loopback(), c.loopback);
  }
}

TEST(HttpAccessHost, OriginTable) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"http://localhost:8080", "http://localhost:8080"},
      {"HTTP://LOCALHOST:8080", "http://localhost:8080"},
      {"https://app.example", "https://app.example"},
      {"https://app.example:443", "https://app.example"},
      {"http://app.example:80", "http://app.example"},
      {"http://app.example:443", "http://app.example:443"},
      {"http://[::1]:8080", "http://[::1]:8080"},
      {"http://127.evil.example", "http://127.evil.example"},
      {"null", std::nullopt},
      {"", std::nullopt},
      {"localhost:8080", std::nullopt},
      {"//localhost", std::nullopt},
      {"file://", std::nullopt},
      {"file:///etc/passwd", std::nullopt},
      {"ftp://localhost", std::nullopt},
      {"chrome-extension://abcdef", std::nullopt},
      {"http://", std::nullopt},
      {"http://localhost/", std::nullopt},
      {"http://localhost/path", std::nullopt},
      {"http://localhost?x=1", std::nullopt},
      {"http://localhost#x", std::nullopt},
      {"http://user@localhost", std::nullopt},
      {"http://localhost@evil.example", std::nullopt},
      {"http://localhost:80@evil.example", std::nullopt},
      {"http://2130706433", std::nullopt},
      {"http://0x7f.1", std::nullopt},
      {"http://[::1%25lo]", std::nullopt},
      {"http://localhost:0", std::nullopt},
      {"http:/localhost", std::nullopt},
      {" http://localhost", std::nullopt},
      {"http://localhost http://evil.example", std::nullopt},
      {"http://localhost, http://evil.example", std::nullopt},
  };
  for (const auto& [value, serialized] : cases) {
    SCOPED_TRACE("Origin: " + value);
    const auto origin = parse_origin(value);
    ASSERT_EQ(origin.has_value(), serialized.has_value());
    if (origin) {
      EXPECT_EQ(origin->serialized(), *serialized);
    }
  }
}

TEST(HttpAccessHost, ListenAddressesAreJudgedByTheSameRules) {
  for (const char* address : {"127.0.0.1", "127.0.0.2", "::1", "localhost", "[::1]"}) {
    EXPECT_TRUE(HttpAccess::is_loopback_host(address)) << address;
  }
  for (const char* address : {"0.0.0.0", "::", "127.evil.example", "192.168.1.2", "2130706433",
                              "127.1", "localhost.", "app.localhost", ""}) {
    EXPECT_FALSE(HttpAccess::is_loopback_host(address)) << address;
  }
}

// --- Decisions ------------------------------------------------------------------------------

HttpRequest request_with(std::vector<std::pair<std::string, std::string>> headers,
                         std::string method = "GET") {
  HttpRequest request;
  request.method = std::move(method);
  request.path = "/mcp";
  request.headers = std::move(headers);
  return request;
}

struct DecisionCase {
  std::vector<std::pair<std::string, std::string>> headers;
  int status;  // 0: admitted
};

std::string shown(const DecisionCase& c) {
  std::string text;
  for (const auto& [name, value] : c.headers) text += name + ": " + value + "; ";
  return text;
}

TEST(HttpAccessHost, LoopbackBindWithoutTokenAdmitsOnlyLoopbackHostsAndTheServersOwnOrigin) {
  const HttpAccess access(HttpAccessPolicy{});
  const std::vector<DecisionCase> cases = {
      {{{"Host", "127.0.0.1:8080"}}, 0},
      {{{"Host", "localhost:8080"}}, 0},
      {{{"Host", "[::1]:8080"}}, 0},
      {{{"host", "LOCALHOST:8080"}}, 0},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:8080"}}, 0},
      {{{"Host", "localhost:8080"}, {"Origin", "http://LOCALHOST:8080"}}, 0},
      {{{"Host", "localhost"}, {"Origin", "http://localhost"}}, 0},
      {{{"Host", "localhost"}, {"Origin", "http://localhost:80"}}, 0},
      // The rebinding page and its look-alikes.
      {{{"Host", "127.evil.example"}}, 403},
      {{{"Host", "127.evil.example:8080"}}, 403},
      {{{"Host", "127.0.0.1.evil.example:8080"}}, 403},
      {{{"Host", "localhost.:8080"}}, 403},
      {{{"Host", "app.localhost:8080"}}, 403},
      {{{"Host", "2130706433:8080"}}, 403},
      {{{"Host", "evil.example@127.0.0.1:8080"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.evil.example"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.evil.example:8080"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:8080.evil.example"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "null"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "file://"}}, 403},
      // Another local web app (another port, another loopback name) is another origin.
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:3000"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://localhost:8080"}}, 403},
      {{{"Host", "localhost"}, {"Origin", "http://localhost:3000"}}, 403},
      {{{"Host", "localhost:8080"}, {"Origin", "http://app.localhost:8080"}}, 403},
      // Missing, empty and repeated headers.
      {{}, 403},
      {{{"Host", ""}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Host", "127.0.0.1:8080"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Host", "evil.example"}}, 403},
      {{{"Host", "127.0.0.1:8080"},
        {"Origin", "http://127.0.0.1:8080"},
        {"Origin", "http://evil.example"}},
       403},
  };
  for (const DecisionCase& c : cases) {
    SCOPED_TRACE(shown(c));
    EXPECT_EQ(access.check(request_with(c.headers)).status, c.status);
    EXPECT_EQ(access.check_browser(request_with(c.headers)).status, c.status);
  }
}

TEST(HttpAccessHost, OperatorListsAdmitHostsAndOriginsAndOnlyListedOriginsGetCors) {
  HttpAccessPolicy policy;
  policy.allowed_hosts = {"app.localhost", "dev.example:8080"};
  policy.allowed_origins = {"https://app.example", "http://localhost:3000"};
  ASSERT_EQ(HttpAccess::invalid_entry(policy), std::nullopt);
  const HttpAccess access(policy);
  const std::vector<DecisionCase> cases = {
      {{{"Host", "app.localhost:8080"}}, 0},
      {{{"Host", "dev.example:8080"}}, 0},
      {{{"Host", "dev.example:9090"}}, 403},
      {{{"Host", "dev.example"}}, 403},
      {{{"Host", "dev.example.:8080"}}, 403},
      {{{"Host", "app.localhost:8080"}, {"Origin", "http://app.localhost:8080"}}, 0},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "https://app.example"}}, 0},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "https://app.example:443"}}, 0},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://app.example"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "https://app.example.evil.example"}}, 403},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://localhost:3000"}}, 0},
      {{{"Host", "127.0.0.1:8080"}, {"Origin", "http://localhost:3001"}}, 403},
  };
  for (const DecisionCase& c : cases) {
    SCOPED_TRACE(shown(c));
    EXPECT_EQ(access.check(request_with(c.headers)).status, c.status);
  }

  // CORS only for listed origins, in their serialised form; the server's own page gets none.
  EXPECT_EQ(access.allowed_origin(
                request_with({{"Host", "127.0.0.1:8080"}, {"Origin", "https://app.example:443"}})),
            "https://app.example");
  EXPECT_EQ(access.allowed_origin(
                request_with({{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:8080"}})),
            std::nullopt);
  EXPECT_EQ(access.allowed_origin(
                request_with({{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.evil.example"}})),
            std::nullopt);
  EXPECT_EQ(access.allowed_origin(
                request_with({{"Host", "127.evil.example"}, {"Origin", "https://app.example"}})),
            std::nullopt);
}

TEST(HttpAccessHost, MalformedOperatorEntriesAreReported) {
  HttpAccessPolicy hosts;
  hosts.allowed_hosts = {"dev.example", "http://dev.example"};
  ASSERT_TRUE(HttpAccess::invalid_entry(hosts).has_value());
  EXPECT_NE(HttpAccess::invalid_entry(hosts)->find("http://dev.example"), std::string::npos);
  HttpAccessPolicy origins;
  origins.allowed_origins = {"https://app.example/"};
  EXPECT_TRUE(HttpAccess::invalid_entry(origins).has_value());
  HttpAccessPolicy wildcard;
  wildcard.allowed_origins = {"*"};
  EXPECT_TRUE(HttpAccess::invalid_entry(wildcard).has_value());
}

TEST(HttpAccessHost, OnlyAJsonMediaTypeCountsAsJson) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"application/json", true},
      {"Application/JSON", true},
      {"application/json; charset=utf-8", true},
      {"application/json;charset=UTF-8", true},
      {" application/json ", true},
      {"text/plain", false},
      {"text/plain; charset=application/json", false},
      {"text/plain;application/json", false},
      {"application/x-www-form-urlencoded", false},
      {"multipart/form-data; boundary=application/json", false},
      {"application/jsonp", false},
      {"application/json-seq", false},
      {"application/json+evil", false},
      {"application/ json", false},
      {"", false},
  };
  for (const auto& [value, json] : cases) {
    HttpRequest request;
    request.headers = {{"Content-Type", value}};
    EXPECT_EQ(has_json_content_type(request), json) << value;
  }
  EXPECT_FALSE(has_json_content_type(HttpRequest{}));
}

}  // namespace
}  // namespace benchtop
