#include "server/streamable_http.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "common/base64.h"
#include "common/log.h"
#include "server/protocol.h"
#include "transport/sse.h"

namespace benchtop {
namespace {

constexpr const char* kSessionHeader = "Mcp-Session-Id";

// The answers to one POST, handed from worker threads to the HTTP thread that owns the response.
class HttpReply : public ReplyChannel {
 public:
  struct Event {
    enum Kind { kNotify, kRespond, kAbandon } kind;
    nlohmann::json message;
  };

  void notify(const nlohmann::json& notification) override { push({Event::kNotify, notification}); }
  void respond(const nlohmann::json& response) override { push({Event::kRespond, response}); }
  void abandon() override { push({Event::kAbandon, nullptr}); }

  // The next event, or std::nullopt after `timeout`.
  std::optional<Event> next(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return std::nullopt;
    Event event = std::move(events_.front());
    events_.pop_front();
    return event;
  }

 private:
  void push(Event event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    ready_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> events_;
};

HttpResponse rpc_error(int status, const jsonrpc::Id& id, int code, const std::string& message) {
  return HttpResponse::json(status, jsonrpc::serialize(jsonrpc::make_error(id, code, message)));
}

bool header_lists(const std::optional<std::string>& header, std::string_view type) {
  return header &&
         (header->find(type) != std::string::npos || header->find("*/*") != std::string::npos);
}

// RFC 9110 field values: visible ASCII, space and tab.
bool valid_header_value(const std::string& value) {
  return std::all_of(value.begin(), value.end(),
                     [](unsigned char c) { return c == '\t' || (c >= 0x20 && c <= 0x7e); });
}

// Optional whitespace around a field value is not part of it (RFC 9110 section 5.5).
std::string trim_whitespace(const std::string& value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = value.find_last_not_of(" \t");
  return value.substr(first, last - first + 1);
}

// Mcp-Name and Mcp-Param-* may carry "=?base64?...?=" for values that are not plain ASCII.
std::optional<std::string> decode_header_value(const std::string& value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  if (value.size() >= kPrefix.size() + kSuffix.size() && value.rfind(kPrefix, 0) == 0 &&
      value.compare(value.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
    return base64::decode(std::string_view(value).substr(
        kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size()));
  }
  return value;
}

// 2026-07-28 "Server Validation": the mirrored headers must be present and agree with the body.
std::optional<std::string> header_mismatch(const HttpRequest& request, const jsonrpc::Request& body,
                                           const std::string& body_version) {
  const auto version = request.header("MCP-Protocol-Version");
  if (!version) return "missing MCP-Protocol-Version header";
  if (*version != body_version) {
    return "MCP-Protocol-Version header '" + *version + "' does not match _meta version '" +
           body_version + "'";
  }
  const auto method = request.header("Mcp-Method");
  if (!method) return "missing Mcp-Method header";
  if (!valid_header_value(*method)) return "Mcp-Method header has invalid characters";
  if (*method != body.method) {
    return "Mcp-Method header '" + *method + "' does not match body method '" + body.method + "'";
  }
  const char* name_field = body.method == "tools/call" || body.method == "prompts/get" ? "name"
                           : body.method == "resources/read"                           ? "uri"
                                                                                       : nullptr;
  if (name_field) {
    const auto name = request.header("Mcp-Name");
    if (!name) return "missing Mcp-Name header";
    if (!valid_header_value(*name)) return "Mcp-Name header has invalid characters";
    const auto decoded = decode_header_value(trim_whitespace(*name));
    if (!decoded) return "Mcp-Name header has invalid base64";
    const auto& params = body.params;
    const std::string expected =
        params.is_object() && params.contains(name_field) && params[name_field].is_string()
            ? params[name_field].get<std::string>()
            : std::string();
    if (*decoded != expected) {
      return "Mcp-Name header value '" + *decoded + "' does not match body value '" + expected +
             "'";
    }
  }
  return std::nullopt;
}

// Modern (2026-07-28) requests carry the HTTP status of their error, so that intermediaries and
// dual-era clients can tell a modern server's refusal from a legacy one's.
int modern_error_status(const nlohmann::json& response) {
  if (!response.contains("error")) return 200;
  switch (response["error"].value("code", 0)) {
    case jsonrpc::kMethodNotFound:
      return 404;
    case jsonrpc::kParseError:
    case jsonrpc::kInvalidRequest:
    case jsonrpc::kInvalidParams:
    case jsonrpc::kHeaderMismatch:
    case jsonrpc::kMissingRequiredClientCapability:
    case jsonrpc::kUnsupportedProtocolVersion:
      return 400;
    default:
      return 500;
  }
}

}  // namespace

struct StreamableHttp::StreamCounter {
  std::mutex mutex;
  std::condition_variable changed;
  size_t open = 0;
  bool shutting_down = false;
};

StreamableHttp::StreamableHttp(McpServer& server, HttpAccess access, SessionStore& sessions,
                               StreamableHttpOptions options)
    : server_(server),
      access_(std::move(access)),
      sessions_(sessions),
      options_(std::move(options)),
      standalone_streams_(std::make_shared<StreamCounter>()) {}

StreamableHttp::~StreamableHttp() {
  shutdown();
}

void StreamableHttp::shutdown() {
  {
    std::lock_guard lock(standalone_streams_->mutex);
    standalone_streams_->shutting_down = true;
  }
  standalone_streams_->changed.notify_all();
}

HttpResponse StreamableHttp::handle(const HttpRequest& request) {
  const AccessDecision decision = access_.check(request);
  HttpResponse response;
  if (decision.status != 0) {
    response = rpc_error(decision.status, nullptr, jsonrpc::kInvalidRequest, decision.message);
    if (decision.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }

  if (request.path == "/healthz") {
    response = HttpResponse::json(200, R"({"status":"ok"})");
  } else if (request.path != options_.endpoint) {
    response = HttpResponse::json(404, R"({"error":"not found"})");
  } else if (request.method == "POST") {
    response = post(request);
  } else if (request.method == "GET") {
    response = get(request);
  } else if (request.method == "DELETE") {
    response = remove_session(request);
  } else if (request.method == "OPTIONS") {
    response = HttpResponse::empty(204);
    response.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
    response.headers.emplace_back(
        "Access-Control-Allow-Headers",
        "Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, "
        "Mcp-Name, Last-Event-ID");
    response.headers.emplace_back("Access-Control-Max-Age", "600");
  } else {
    response = HttpResponse::empty(405);
    response.headers.emplace_back("Allow", "GET, POST, DELETE, OPTIONS");
  }

  // Browsers may read responses only from an allowed origin (never "*").
  if (auto origin = access_.allowed_origin(request)) {
    response.headers.emplace_back("Access-Control-Allow-Origin", *origin);
    response.headers.emplace_back("Access-Control-Expose-Headers", kSessionHeader);
    response.headers.emplace_back("Vary", "Origin");
  }
  return response;
}

HttpResponse StreamableHttp::post(const HttpRequest& request) {
  const auto content_type = request.header("Content-Type");
  if (!content_type || content_type->find("application/json") == std::string::npos) {
    return rpc_error(415, nullptr, jsonrpc::kInvalidRequest,
                     "Unsupported Media Type: Content-Type must be application/json");
  }
  const auto accept = request.header("Accept");
  const bool accepts_json = header_lists(accept, "application/json");
  const bool accepts_sse = header_lists(accept, "text/event-stream");
  if (!accepts_json || !accepts_sse) {
    return rpc_error(406, nullptr, jsonrpc::kInvalidRequest,
                     "Not Acceptable: Accept must list application/json and text/event-stream");
  }

  const jsonrpc::Message message = jsonrpc::parse(request.body);
  if (const auto* invalid = std::get_if<jsonrpc::Invalid>(&message)) {
    return HttpResponse::json(400, jsonrpc::serialize(McpServer::invalid_message_error(*invalid)));
  }
  const auto* rpc_request = std::get_if<jsonrpc::Request>(&message);
  const auto session_id = request.header(kSessionHeader);

  const bool has_meta_version = rpc_request && rpc_request->params.is_object() &&
                                rpc_request->params.contains("_meta") &&
                                rpc_request->params["_meta"].is_object() &&
                                rpc_request->params["_meta"].contains(mcp::kMetaProtocolVersion);

  // Legacy: initialize opens a session.
  if (rpc_request && rpc_request->method == "initialize" && !has_meta_version) {
    auto session = sessions_.create();
    if (!session) {
      return rpc_error(503, rpc_request->id, jsonrpc::kInternalError,
                       "Too many sessions; try again later");
    }
    HttpResponse response = dispatch(session, message, false, accepts_sse);
    if (response.status == 200 && session->initialized()) {
      response.headers.emplace_back(kSessionHeader, session->id());
    } else {
      sessions_.remove(session->id());
    }
    return response;
  }

  // Legacy: a request inside an existing session.
  if (session_id) {
    auto session = sessions_.find(*session_id);
    if (!session) {
      return rpc_error(404, rpc_request ? rpc_request->id : nullptr, jsonrpc::kInvalidRequest,
                       "Session not found: it expired or was deleted; send initialize again");
    }
    if (const auto version = request.header("MCP-Protocol-Version");
        version && !mcp::is_legacy_version(*version)) {
      return rpc_error(400, rpc_request ? rpc_request->id : nullptr, jsonrpc::kInvalidRequest,
                       "Unsupported MCP-Protocol-Version header for a session: " + *version);
    }
    return dispatch(session, message, false, accepts_sse);
  }

  // Modern: a self-contained request.
  if (rpc_request) {
    if (!request.header("MCP-Protocol-Version")) {
      return rpc_error(400, rpc_request->id, jsonrpc::kHeaderMismatch,
                       "Header mismatch: missing MCP-Protocol-Version header (or, for a 2025 "
                       "revision, the Mcp-Session-Id header)");
    }
    if (!has_meta_version) {
      return rpc_error(400, rpc_request->id, jsonrpc::kInvalidParams,
                       std::string("Bad Request: no Mcp-Session-Id header and no _meta \"") +
                           std::string(mcp::kMetaProtocolVersion) +
                           "\"; send initialize first (2025 revisions) or include the "
                           "per-request metadata (2026-07-28)");
    }
    const nlohmann::json& body_version = rpc_request->params["_meta"][mcp::kMetaProtocolVersion];
    if (auto problem = header_mismatch(
            request, *rpc_request,
            body_version.is_string() ? body_version.get<std::string>() : body_version.dump())) {
      return rpc_error(400, rpc_request->id, jsonrpc::kHeaderMismatch,
                       "Header mismatch: " + *problem);
    }
    return dispatch(std::make_shared<Session>(), message, true, accepts_sse);
  }

  // Notifications and responses without a session: the modern protocol defines none over HTTP
  // that need state, so they are accepted and have no effect.
  if (request.header("MCP-Protocol-Version").value_or("") == mcp::kModernVersion) {
    return HttpResponse::empty(202);
  }
  return rpc_error(400, nullptr, jsonrpc::kInvalidRequest,
                   "Bad Request: Mcp-Session-Id header is required");
}

HttpResponse StreamableHttp::dispatch(const std::shared_ptr<Session>& session,
                                      const jsonrpc::Message& message, bool modern,
                                      bool accepts_sse) {
  if (!std::holds_alternative<jsonrpc::Request>(message)) {
    server_.handle(session, message, std::make_shared<HttpReply>());
    return HttpResponse::empty(202);
  }
  auto reply = std::make_shared<HttpReply>();
  CancellationSource stream_closed;
  // Only a modern request is cancelled by its stream closing; a 2025 client may drop a stream
  // and still expect the work to finish (disconnect is not cancellation there).
  server_.handle(session, message, reply, modern ? stream_closed.token() : CancellationToken());

  auto first = reply->next(accepts_sse ? options_.json_window : std::chrono::hours(24 * 365));
  if (first && first->kind == HttpReply::Event::kRespond) {
    const int status = modern ? modern_error_status(first->message) : 200;
    return HttpResponse::json(status, jsonrpc::serialize(first->message));
  }

  HttpResponse response;
  response.status = 200;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  const auto keepalive = options_.keepalive;
  response.stream = [reply, first, stream_closed, keepalive, session](StreamWriter& writer) {
    std::optional<HttpReply::Event> event = first;
    for (;;) {
      if (!event) {
        // Nothing to say yet: a comment keeps intermediaries from timing out and reveals a
        // client that has gone away.
        if (!writer.write(sse::comment())) {
          stream_closed.cancel();
          return;
        }
        session->touch();
      } else if (event->kind == HttpReply::Event::kAbandon) {
        return;
      } else {
        if (!writer.write(sse::event(jsonrpc::serialize(event->message)))) {
          stream_closed.cancel();
          return;
        }
        if (event->kind == HttpReply::Event::kRespond) return;
      }
      event = reply->next(keepalive);
    }
  };
  return response;
}

HttpResponse StreamableHttp::get(const HttpRequest& request) {
  const auto session_id = request.header(kSessionHeader);
  if (!session_id) {
    // 2026-07-28 has no GET stream; 2025 clients always name their session.
    HttpResponse response = rpc_error(405, nullptr, jsonrpc::kInvalidRequest,
                                      "Method Not Allowed: GET needs an Mcp-Session-Id "
                                      "(2025 revisions); 2026-07-28 uses POST only");
    response.headers.emplace_back("Allow", "POST, DELETE");
    return response;
  }
  if (!header_lists(request.header("Accept"), "text/event-stream")) {
    return rpc_error(406, nullptr, jsonrpc::kInvalidRequest,
                     "Not Acceptable: Accept must list text/event-stream");
  }
  auto session = sessions_.find(*session_id);
  if (!session) {
    return rpc_error(404, nullptr, jsonrpc::kInvalidRequest, "Session not found");
  }
  auto counter = standalone_streams_;
  {
    std::lock_guard lock(counter->mutex);
    if (counter->open >= options_.max_standalone_streams) {
      return rpc_error(429, nullptr, jsonrpc::kInvalidRequest,
                       "Too many open streams; close one or retry later");
    }
    ++counter->open;
  }
  HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  const auto keepalive = options_.keepalive;
  SessionStore& sessions = sessions_;
  const std::string id = *session_id;
  response.stream = [counter, keepalive, &sessions, id](StreamWriter& writer) {
    // This server sends no unsolicited messages yet; the stream stays open (for clients that
    // expect one) until the session ends, the client leaves, or the server stops.
    std::unique_lock lock(counter->mutex);
    while (!counter->shutting_down) {
      lock.unlock();
      auto session = sessions.find(id);
      const bool alive = session && writer.write(sse::comment());
      if (session) session->touch();
      lock.lock();
      if (!alive) break;
      counter->changed.wait_for(lock, keepalive, [&] { return counter->shutting_down; });
    }
    --counter->open;
  };
  return response;
}

HttpResponse StreamableHttp::remove_session(const HttpRequest& request) {
  const auto session_id = request.header(kSessionHeader);
  if (!session_id) {
    HttpResponse response = rpc_error(405, nullptr, jsonrpc::kInvalidRequest,
                                      "Method Not Allowed: DELETE needs an Mcp-Session-Id");
    response.headers.emplace_back("Allow", "POST");
    return response;
  }
  if (!sessions_.remove(*session_id)) {
    return rpc_error(404, nullptr, jsonrpc::kInvalidRequest, "Session not found");
  }
  return HttpResponse::empty(200);
}

}  // namespace benchtop
