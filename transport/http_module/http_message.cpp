#include "transport/http_module/http_message.h"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

#include "common/hex_digit.h"

namespace benchtop {
namespace http = boost::beast::http;

namespace {

void parse_query(std::string_view text, HttpRequest& request) {
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    const std::string_view key = pair.substr(0, equals);
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    request.query.emplace_back(percent_decode(key, true), percent_decode(value, true));
  }
}

bool may_have_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int high = hex_digit_value(text[i + 1]);
      const int low = hex_digit_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    decoded.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return decoded;
}

HttpRequest to_http_request(BeastRequest&& request, std::string remote_address) {
  HttpRequest result;
  result.method = std::string(request.method_string());
  const std::string_view target = request.target();
  const size_t question = target.find('?');
  result.path = percent_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) parse_query(target.substr(question + 1), result);
  for (const auto& field : request) {
    result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  result.body = std::move(request.body());
  result.remote_address = std::move(remote_address);
  return result;
}

TunnelRequest to_tunnel_request(const BeastRequest& request, std::string remote_address) {
  TunnelRequest tunnel;
  tunnel.target = std::string(request.target());
  tunnel.version = request.version();
  BeastRequest head = request;  // the header only: the body has not been read
  tunnel.head = to_http_request(std::move(head), std::move(remote_address));
  return tunnel;
}

std::string response_head(const HttpResponse& response, std::optional<size_t> content_length,
                          bool keep_alive) {
  http::response<http::empty_body> head;
  head.version(11);
  head.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers) head.insert(name, value);
  if (!response.content_type.empty()) {
    head.set(http::field::content_type, response.content_type);
  } else if (response.stream || !response.body.empty()) {
    head.set(http::field::content_type, "text/plain");
  }
  if (!may_have_body(response.status)) {
    // 1xx, 204 and 304 carry neither a body nor a Content-Length (RFC 9110 section 8.6).
  } else if (content_length) {
    head.content_length(*content_length);
  } else {
    head.chunked(true);
  }
  if (!keep_alive) head.set(http::field::connection, "close");
  std::ostringstream out;
  out << head.base();
  return out.str();
}

std::string full_response(const HttpResponse& response, bool keep_alive, bool head_only) {
  std::string bytes = response_head(response, response.body.size(), keep_alive);
  if (!head_only && may_have_body(response.status)) bytes += response.body;
  return bytes;
}

std::string chunk(std::string_view data) {
  std::ostringstream out;
  out << std::hex << data.size() << "\r\n";
  std::string bytes = out.str();
  bytes.append(data);
  bytes += "\r\n";
  return bytes;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

HttpResponse internal_error() {
  return json_response(500, R"({"error":"internal error"})");
}

HttpResponse too_large(size_t limit) {
  return json_response(
      413,
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Message too large: the limit is )" +
          std::to_string(limit) + R"( bytes"}})");
}

std::string refusal(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = std::string(message) + "\n";
  return full_response(response, false, false);
}

}  // namespace benchtop
