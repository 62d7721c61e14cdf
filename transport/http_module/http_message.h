// Conversions between Beast's HTTP messages and the module interface's HttpRequest/HttpResponse,
// and the bytes the server writes: response heads, chunks of a streamed body, canned refusals.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "transport/http_server.h"

namespace benchtop {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Percent-decodes `text`; '+' becomes a space when `plus_is_space` (query strings).
std::string percent_decode(std::string_view text, bool plus_is_space);

// The request as handlers see it: decoded path, query parameters in order, headers in order.
HttpRequest to_http_request(BeastRequest&& request, std::string remote_address);

// The head of a request bound for a tunnel (its body is not read).
TunnelRequest to_tunnel_request(const BeastRequest& request, std::string remote_address);

// Status line and header fields, ending with the blank line. With `content_length` the body
// follows as is; without it the body is chunked.
std::string response_head(const HttpResponse& response, std::optional<size_t> content_length,
                          bool keep_alive);

// The whole response to write when it has no stream; a HEAD request gets the head only.
std::string full_response(const HttpResponse& response, bool keep_alive, bool head_only);

// One chunk of a chunked body, and the chunk that ends it.
std::string chunk(std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// A JSON response. The module's own, since it cannot call into the core that loaded it (where
// HttpResponse::json is defined).
HttpResponse json_response(int status, std::string body);
// The answer to a handler that threw.
HttpResponse internal_error();
// The JSON-RPC error a message over the size limit gets (status 413).
HttpResponse too_large(size_t limit);
// A plain-text refusal such as 400, 431 or 503; the connection is closed after it.
std::string refusal(int status, std::string_view message);

}  // namespace benchtop
