// The HTTP rules of the Streamable HTTP transport, which only the npm clients exercised before:
// media types (415), Accept (406), ending a session with DELETE, the protocol-version header of a
// session, and the headers a stateless 2026-07-28 request must carry and match.
#include <gtest/gtest.h>

#include "server/access/http_access.h"
#include "server/mcp/protocol.h"
#include "tests/support/streamable_http_fixture.h"

namespace benchtop::testing {
namespace {

using HttpRulesTest = StreamableHttpFixture;

std::optional<std::string> header_of(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

void replace_header(HttpRequest& request, const std::string& name, const std::string& value) {
  for (auto& [key, current] : request.headers) {
    if (key == name) {
      current = value;
      return;
    }
  }
  request.headers.emplace_back(name, value);
}

json error_of(const HttpResponse& response) {
  return json::parse(response.body)["error"];
}

// Accept is parsed into media ranges and compared whole: a type that merely starts with
// "application/json" was accepted as JSON before.
TEST(AcceptHeader, MediaRangesAreComparedWholeWithWeights) {
  const std::vector<std::pair<std::string, bool>> json_cases = {
      {"application/json", true},
      {"Application/JSON", true},
      {"text/html, application/json;q=0.5", true},
      {"application/*", true},
      {"*/*", true},
      {"application/json-seq", false},
      {"application/jsonx, text/event-stream", false},
      {"xapplication/json", false},
      {"application/json;q=0", false},
      {"application/json; q=0.000", false},
      {"text/*", false},
      {"", false},
  };
  for (const auto& [accept, expected] : json_cases) {
    EXPECT_EQ(accepts_media_type(accept, "application/json"), expected) << "Accept: " << accept;
  }
  EXPECT_FALSE(accepts_media_type(std::nullopt, "application/json"));
  EXPECT_TRUE(accepts_media_type("text/*;q=0.1", "text/event-stream"));
}

TEST_F(HttpRulesTest, APostNeedsAJsonBodyAndAcceptsBothAnswerTypes) {
  start(16);
  const json ping = jsonrpc::make_request(1, "initialize", {{"protocolVersion", kVersion}});

  // A body a page on another site could send without a preflight.
  HttpRequest form = request("POST", "", ping);
  replace_header(form, "Content-Type", "text/plain; x=application/json");
  HttpResponse refused = http_->handle(form);
  EXPECT_EQ(refused.status, 415);
  EXPECT_EQ(error_of(refused)["code"], jsonrpc::kInvalidRequest) << refused.body;

  for (const char* accept :
       {"application/json", "text/event-stream", "application/json-seq, text/event-stream", ""}) {
    HttpRequest narrow = request("POST", "", ping);
    replace_header(narrow, "Accept", accept);
    HttpResponse response = http_->handle(narrow);
    EXPECT_EQ(response.status, 406) << "Accept: " << accept;
    EXPECT_NE(response.body.find("Not Acceptable"), std::string::npos) << response.body;
  }
  EXPECT_EQ(http_->handle(request("POST", "", ping)).status, 200);
}

TEST_F(HttpRulesTest, DeleteEndsASessionOnce) {
  start(16);
  const std::string session = open_session();
  ASSERT_EQ(list_status(session), 200);
  EXPECT_EQ(http_->handle(request("DELETE", session)).status, 200);
  EXPECT_EQ(list_status(session), 404) << "the session is gone";
  EXPECT_EQ(http_->handle(request("DELETE", session)).status, 404) << "deleted only once";

  HttpResponse without_id = http_->handle(request("DELETE", ""));
  EXPECT_EQ(without_id.status, 405);
  EXPECT_EQ(header_of(without_id, "Allow"), "POST");
}

TEST_F(HttpRulesTest, ASessionRefusesAProtocolVersionHeaderOfAnotherEra) {
  start(16);
  const std::string session = open_session();
  HttpRequest modern =
      request("POST", session, jsonrpc::make_request(2, "tools/list", json::object()));
  modern.headers.emplace_back("MCP-Protocol-Version", std::string(mcp::kModernVersion));
  HttpResponse refused = http_->handle(modern);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("Unsupported MCP-Protocol-Version"), std::string::npos)
      << refused.body;

  HttpRequest same_era =
      request("POST", session, jsonrpc::make_request(3, "tools/list", json::object()));
  same_era.headers.emplace_back("MCP-Protocol-Version", kVersion);
  EXPECT_EQ(http_->handle(same_era).status, 200);
}

// A stateless request states its version, method and target twice, in the body and in headers
// a proxy can route on; the two must agree.
TEST_F(HttpRulesTest, AStatelessRequestsHeadersMustMatchItsBody) {
  start(16);
  const json call = jsonrpc::make_request(7, "tools/call",
                                          {{"name", "count"},
                                           {"arguments", json::object()},
                                           {"_meta",
                                            {{mcp::kMetaProtocolVersion, mcp::kModernVersion},
                                             {mcp::kMetaClientCapabilities, json::object()}}}});
  auto modern = [&](const std::string& version, const std::string& method,
                    const std::string& name) {
    HttpRequest r = request("POST", "", call);
    if (!version.empty()) r.headers.emplace_back("MCP-Protocol-Version", version);
    if (!method.empty()) r.headers.emplace_back("Mcp-Method", method);
    if (!name.empty()) r.headers.emplace_back("Mcp-Name", name);
    return http_->handle(r);
  };
  const std::string modern_version(mcp::kModernVersion);

  struct Case {
    std::string version, method, name, problem;
  };
  const std::vector<Case> mismatches = {
      {"", "tools/call", "count", "missing MCP-Protocol-Version"},
      {kVersion, "tools/call", "count", "does not match _meta version"},
      {modern_version, "", "count", "missing Mcp-Method"},
      {modern_version, "tools/list", "count", "does not match body method"},
      {modern_version, "tools/call", "", "missing Mcp-Name"},
      {modern_version, "tools/call", "other", "does not match body value"},
  };
  for (const auto& c : mismatches) {
    HttpResponse response = modern(c.version, c.method, c.name);
    EXPECT_EQ(response.status, 400) << c.problem;
    EXPECT_EQ(error_of(response)["code"], mcp::kHeaderMismatch) << response.body;
    EXPECT_NE(response.body.find(c.problem), std::string::npos) << response.body;
  }
  EXPECT_EQ(counted_, 0) << "no mismatched request ran the tool";

  HttpResponse ran = modern(modern_version, "tools/call", "count");
  EXPECT_EQ(ran.status, 200) << ran.body;
  EXPECT_EQ(counted_, 1);
}

}  // namespace
}  // namespace benchtop::testing
