#include "transport/http_router.h"

#include <gtest/gtest.h>

namespace benchtop {
namespace {

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

HttpHandler answer(std::string body) {
  return [body](const HttpRequest& r) {
    std::string params;
    for (const auto& [k, v] : r.path_params) params += k + "=" + v + ";";
    return HttpResponse::json(200, body + "|" + params);
  };
}

TEST(HttpRouterTest, MatchesLiteralAndParameterSegments) {
  HttpRouter router;
  router.add("GET", "/api/threads", answer("list"));
  router.add("GET", "/api/threads/{id}", answer("one"));
  router.add("POST", "/api/threads/{id}/messages", answer("send"));
  EXPECT_EQ(router.route(request("GET", "/api/threads")).body, "list|");
  EXPECT_EQ(router.route(request("GET", "/api/threads/abc")).body, "one|id=abc;");
  EXPECT_EQ(router.route(request("POST", "/api/threads/x1/messages")).body, "send|id=x1;");
  EXPECT_EQ(router.route(request("GET", "/api/threads/x1/messages/extra")).status, 404);
}

TEST(HttpRouterTest, WrongMethodIs405WithAllow) {
  HttpRouter router;
  router.add("GET", "/api/threads", answer("list"));
  router.add("POST", "/api/threads", answer("create"));
  const HttpResponse response = router.route(request("DELETE", "/api/threads"));
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "GET, POST");
}

TEST(HttpRouterTest, WildcardTakesTheRemainderAndFirstRouteWins) {
  HttpRouter router;
  router.add("*", "/mcp", answer("mcp"));
  router.add("GET", "/static/*", answer("static"));
  router.add("GET", "/static/special", answer("never"));
  EXPECT_EQ(router.route(request("PUT", "/mcp")).body, "mcp|");
  EXPECT_EQ(router.route(request("GET", "/static/a/b.css")).body, "static|");
  EXPECT_EQ(router.route(request("GET", "/static/special")).body, "static|");
  EXPECT_EQ(router.route(request("GET", "/nothing")).status, 404);
}

}  // namespace
}  // namespace benchtop
