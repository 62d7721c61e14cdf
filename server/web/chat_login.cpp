#include "server/web/chat_login.h"

#include <nlohmann/json.hpp>
#include <string>

#include "common/hex_digit.h"

namespace benchtop {
namespace {

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 &&
               hex_digit_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Self-contained like the chat page: nothing is fetched, no script runs.
HttpResponse login_page(int status, std::string_view problem) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.headers.emplace_back("Cache-Control", "no-store");
  // Not "no-referrer": under it the browser sends `Origin: null` with the form's POST, which the
  // Origin check must refuse.
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  std::string notice;
  if (!problem.empty()) notice = "<p class=\"err\">" + html_escape(problem) + "</p>\n";
  response.body =
      R"page(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>benchtop: log in</title>
<style>
  body { margin:0; min-height:100vh; display:grid; place-items:center; background:#f6f7f9;
         font: 14px/1.5 system-ui, -apple-system, Segoe UI, sans-serif; color:#1d232b; }
  main { background:#fff; border:1px solid #dde1e6; border-radius:10px; padding:24px 28px; max-width:440px; }
  h1 { font-size:18px; margin:0 0 10px; }
  code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background:#f0f2f5; padding:1px 4px; }
  form { display:flex; gap:8px; margin-top:14px; }
  input { flex:1; padding:6px; font:inherit; }
  .err { color:#c62828; font-weight:600; }
</style>
</head>
<body>
<main>
<h1>benchtop needs its access token</h1>
)page" +
      notice +
      R"page(<p>This server was started with <code>--token</code> (or <code>BENCHTOP_TOKEN</code>).
Paste that token below to open the chat in this browser, or open
<code>/?token=&lt;token&gt;</code> once. The browser then keeps a login cookie; the token itself
is not stored.</p>
<form method="post" action="/login">
  <input type="password" name="token" autocomplete="current-password" placeholder="token" required autofocus>
  <button type="submit">Log in</button>
</form>
</main>
</body>
</html>
)page";
  return response;
}

HttpResponse refusal(const AccessDecision& decision) {
  return HttpResponse::json(decision.status, nlohmann::json{{"error", decision.message}}.dump());
}

HttpResponse log_in(const HttpAccess& access, const HttpRequest& request, std::string_view token) {
  if (AccessDecision decision = access.check_host_and_origin(request); decision.status != 0) {
    return refusal(decision);
  }
  HttpResponse response = HttpResponse::empty(303);
  response.headers.emplace_back("Location", "/");
  response.headers.emplace_back("Cache-Control", "no-store");
  // The URL that carried the token must not travel on as a Referer.
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (!access.token_required()) return response;  // nothing to log in to
  if (!access.token_matches(token)) {
    return login_page(401, "That token is not the one this server was started with.");
  }
  response.headers.emplace_back("Set-Cookie", access.session_cookie(request));
  return response;
}

}  // namespace

std::string form_field(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    const auto equals = pair.find('=');
    if (url_decode(pair.substr(0, equals)) != name) continue;
    return equals == std::string_view::npos ? "" : url_decode(pair.substr(equals + 1));
  }
  return "";
}

HttpHandler page_with_login(const HttpAccess& access, HttpHandler page) {
  return [&access, page = std::move(page)](const HttpRequest& request) {
    if (const auto token = request.query_param("token")) return log_in(access, request, *token);
    const AccessDecision decision = access.check_browser(request);
    if (decision.status == 0) return page(request);
    if (decision.status == 401) return login_page(401, "");
    return refusal(decision);
  };
}

HttpHandler logout_handler(const HttpAccess& access) {
  return [&access](const HttpRequest& request) {
    HttpResponse response = HttpResponse::empty(303);
    response.headers.emplace_back("Location", "/");
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back("Set-Cookie", access.end_browser_session(request));
    return response;
  };
}

HttpHandler login_form_handler(const HttpAccess& access) {
  return [&access](const HttpRequest& request) {
    return log_in(access, request, form_field(request.body, "token"));
  };
}

}  // namespace benchtop
