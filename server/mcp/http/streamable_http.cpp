#include "server/mcp/http/streamable_http.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "common/base64.h"
#include "common/log.h"
#include "common/random.h"
#include "server/mcp/protocol.h"
#include "transport/sse.h"

namespace benchtop {
namespace {

constexpr const char* kSessionHeader = "Mcp-Session-Id";

// The answers to one POST, handed from worker threads to the HTTP thread that owns the response.
// Events are kept (up to a bound) rather than consumed, so that a client whose stream ended can
// reconnect with Last-Event-ID and read on from where it stopped (2025-11-25 resumption).
class HttpReply : public ReplyChannel {
 public:
  struct Event {
    enum Kind { kNotify, kRespond, kAbandon, kClose } kind;
    nlohmann::json message;
  };
  // Notifications beyond this many are dropped oldest first; the response is never dropped.
  static constexpr size_t kMaxEvents = 1024;

  void notify(const nlohmann::json& notification) override { push({Event::kNotify, notification}); }
  void respond(const nlohmann::json& response) override { push({Event::kRespond, response}); }
  void abandon() override { push({Event::kAbandon, nullptr}); }
  void close_stream() override { push({Event::kClose, nullptr}); }

  // The event at position `index` or the first one after it still kept, with its position; or
  // std::nullopt when none arrives within `timeout`.
  std::optional<std::pair<size_t, Event>> at(size_t index, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [&] { return base_ + events_.size() > index; })) {
      return std::nullopt;
    }
    const size_t position = std::max(index, base_);
    return std::make_pair(position, events_[position - base_]);
  }

  // How many events were ever pushed.
  size_t size() {
    std::lock_guard lock(mutex_);
    return base_ + events_.size();
  }

 private:
  void push(Event event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
      while (events_.size() > kMaxEvents && events_.front().kind == Event::kNotify) {
        events_.pop_front();
        ++base_;
      }
    }
    ready_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> events_;
  size_t base_ = 0;  // position of events_.front()
};

// SSE event ids are "<stream id>:<n>", n counting the stream's events from 1 (0 is the priming
// event), so a Last-Event-ID names both the stream and the place to resume.
std::string event_id(const std::string& stream, size_t n) {
  return stream + ":" + std::to_string(n);
}

std::optional<std::pair<std::string, size_t>> parse_event_id(const std::string& id) {
  const auto colon = id.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= id.size()) return std::nullopt;
  size_t n = 0;
  for (size_t i = colon + 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9' || n > (SIZE_MAX - 9) / 10) return std::nullopt;
    n = n * 10 + static_cast<size_t>(id[i] - '0');
  }
  return std::make_pair(id.substr(0, colon), n);
}

// Writes a reply's events from position `cursor` until its response, or until the handler
// closes the stream with a close event at position `close_from` or later (earlier ones ended an
// earlier connection of the stream). Returns false when the client went away.
bool stream_events(StreamWriter& writer, HttpReply& reply, size_t cursor, size_t close_from,
                   const std::string& stream_id, std::chrono::milliseconds keepalive,
                   const std::shared_ptr<Session>& session) {
  for (;;) {
    auto next = reply.at(cursor, keepalive);
    if (!next) {
      // Nothing to say yet: a comment keeps intermediaries from timing out and reveals a client
      // that has gone away.
      if (!writer.write(sse::comment())) return false;
      if (session) session->touch();
      continue;
    }
    auto& [position, event] = *next;
    cursor = position + 1;
    switch (event.kind) {
      case HttpReply::Event::kAbandon:
        return true;
      case HttpReply::Event::kClose:
        // Only a resumable stream may be ended early: the client comes back for the rest.
        if (!stream_id.empty() && position >= close_from) return true;
        break;
      case HttpReply::Event::kNotify:
      case HttpReply::Event::kRespond: {
        const std::string id = stream_id.empty() ? std::string() : event_id(stream_id, cursor);
        if (!writer.write(sse::event(jsonrpc::serialize(event.message), id))) return false;
        if (event.kind == HttpReply::Event::kRespond) return true;
        break;
      }
    }
  }
}

HttpResponse rpc_error(int status, const jsonrpc::Id& id, int code, const std::string& message) {
  return HttpResponse::json(status, jsonrpc::serialize(jsonrpc::make_error(id, code, message)));
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
  const bool task_method =
      body.method == "tasks/get" || body.method == "tasks/update" || body.method == "tasks/cancel";
  const char* name_field = body.method == "tools/call" || body.method == "prompts/get" ? "name"
                           : body.method == "resources/read"                           ? "uri"
                           : task_method                                               ? "taskId"
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

// The string a header carries for a body value: strings as they are, other scalars as JSON.
std::string header_form(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// SEP-2243 custom headers: each tool argument whose schema names an `x-mcp-header` is mirrored in
// Mcp-Param-<name>. A present header must decode and equal the argument; an argument given in the
// body without its header is refused too (an intermediary routing on the header would be misled).
std::optional<std::string> param_header_mismatch(const HttpRequest& request,
                                                 const jsonrpc::Request& body,
                                                 const ToolRegistry& tools) {
  if (body.method != "tools/call" || !body.params.is_object()) return std::nullopt;
  const auto name = body.params.find("name");
  if (name == body.params.end() || !name->is_string()) return std::nullopt;
  const nlohmann::json* schema = tools.input_schema(name->get<std::string>());
  if (!schema || !schema->contains("properties") || !(*schema)["properties"].is_object()) {
    return std::nullopt;
  }
  const nlohmann::json arguments = body.params.value("arguments", nlohmann::json::object());
  for (const auto& [property, definition] : (*schema)["properties"].items()) {
    if (!definition.is_object() || !definition.contains("x-mcp-header") ||
        !definition["x-mcp-header"].is_string()) {
      continue;
    }
    const std::string header_name = "Mcp-Param-" + definition["x-mcp-header"].get<std::string>();
    const auto header = request.header(header_name);
    const bool in_body =
        arguments.is_object() && arguments.contains(property) && !arguments[property].is_null();
    if (!header) {
      if (in_body) return "missing " + header_name + " header for argument '" + property + "'";
      continue;
    }
    if (!valid_header_value(*header)) return header_name + " header has invalid characters";
    const auto decoded = decode_header_value(trim_whitespace(*header));
    if (!decoded) return header_name + " header has invalid base64";
    if (!in_body || *decoded != header_form(arguments[property])) {
      return header_name + " header value '" + *decoded + "' does not match argument '" + property +
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
    case mcp::kHeaderMismatch:
    case mcp::kMissingRequiredClientCapability:
    case mcp::kUnsupportedProtocolVersion:
      return 400;
    default:
      return 500;
  }
}

}  // namespace

// The resumable streams of 2025-11-25 sessions, newest last, bounded per session and in total.
struct StreamableHttp::StreamStore {
  static constexpr size_t kPerSession = 32;
  static constexpr size_t kTotal = 1024;
  struct Entry {
    std::string stream;
    std::string session;
    std::shared_ptr<HttpReply> reply;
  };
  std::mutex mutex;
  std::deque<Entry> entries;

  void add(const std::string& stream, const std::string& session,
           std::shared_ptr<HttpReply> reply) {
    std::lock_guard lock(mutex);
    size_t of_session = 0;
    for (const auto& entry : entries) of_session += entry.session == session;
    if (of_session >= kPerSession) {
      auto oldest = std::find_if(entries.begin(), entries.end(),
                                 [&](const Entry& entry) { return entry.session == session; });
      if (oldest != entries.end()) entries.erase(oldest);
    }
    if (entries.size() >= kTotal) entries.pop_front();
    entries.push_back({stream, session, std::move(reply)});
  }
  std::shared_ptr<HttpReply> find(const std::string& stream, const std::string& session) {
    std::lock_guard lock(mutex);
    for (const auto& entry : entries) {
      // The session must match: a stream id alone must not let another client read the events.
      if (entry.stream == stream && entry.session == session) return entry.reply;
    }
    return nullptr;
  }
  void forget_session(const std::string& session) {
    std::lock_guard lock(mutex);
    std::erase_if(entries, [&](const Entry& entry) { return entry.session == session; });
  }
};

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
      standalone_streams_(std::make_shared<StreamCounter>()),
      streams_(std::make_shared<StreamStore>()) {}

StreamableHttp::~StreamableHttp() {
  shutdown();
}

void StreamableHttp::shutdown() {
  server_.close_subscriptions();
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
  // The media type itself, not a substring: `text/plain; x=application/json` is still a body a
  // page on another site may POST without a CORS preflight.
  if (!has_json_content_type(request)) {
    return rpc_error(415, nullptr, jsonrpc::kInvalidRequest,
                     "Unsupported Media Type: Content-Type must be application/json");
  }
  const auto accept = request.header("Accept");
  const bool accepts_json = accepts_media_type(accept, "application/json");
  const bool accepts_sse = accepts_media_type(accept, "text/event-stream");
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
      return rpc_error(400, rpc_request->id, mcp::kHeaderMismatch,
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
      return rpc_error(400, rpc_request->id, mcp::kHeaderMismatch, "Header mismatch: " + *problem);
    }
    if (auto problem = param_header_mismatch(request, *rpc_request, server_.tools())) {
      return rpc_error(400, rpc_request->id, mcp::kHeaderMismatch, "Header mismatch: " + *problem);
    }
    // A stateless request's calls count, for the per-client cap of long-running calls, against
    // the peer address: the one thing about its sender it cannot choose freely (a bearer token
    // is the same for every client holding it, and clientInfo is whatever the client says).
    return dispatch(std::make_shared<Session>(std::string(), "peer " + request.remote_address),
                    message, true, accepts_sse, request.client_gone);
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
                                      bool accepts_sse, const CancellationToken& client_gone) {
  if (!std::holds_alternative<jsonrpc::Request>(message)) {
    server_.handle(session, message, std::make_shared<HttpReply>());
    return HttpResponse::empty(202);
  }
  auto reply = std::make_shared<HttpReply>();
  CancellationSource stream_closed;
  // Only a modern request is cancelled by its stream closing; a 2025 client may drop a stream
  // and still expect the work to finish (disconnect is not cancellation there). The connection
  // closing cancels it at once, also while it waits for a worker or before its stream starts.
  if (modern) client_gone.on_cancel([stream_closed] { stream_closed.cancel(); });
  server_.handle(session, message, reply, modern ? stream_closed.token() : CancellationToken());

  auto first = reply->at(0, accepts_sse ? options_.json_window : std::chrono::hours(24 * 365));
  if (first && first->second.kind == HttpReply::Event::kRespond) {
    const int status = modern ? modern_error_status(first->second.message) : 200;
    return HttpResponse::json(status, jsonrpc::serialize(first->second.message));
  }

  // 2025-11-25 streams are resumable: a priming event with an id and a retry delay first, ids on
  // every event, and the reply kept for a reconnecting GET with Last-Event-ID.
  const bool resumable = !modern && session->protocol_version() >= mcp::kLatestLegacyVersion;
  std::string stream_id;
  if (resumable) {
    stream_id = random_hex(8);
    streams_->add(stream_id, session->id(), reply);
  }

  HttpResponse response;
  response.status = 200;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  const auto keepalive = options_.keepalive;
  const int retry_ms = static_cast<int>(options_.sse_retry.count());
  response.stream = [reply, stream_closed, keepalive, session, stream_id,
                     retry_ms](StreamWriter& writer) {
    if (!stream_id.empty() && !writer.write(sse::priming(event_id(stream_id, 0), retry_ms))) {
      return;
    }
    if (!stream_events(writer, *reply, 0, 0, stream_id, keepalive, session)) {
      stream_closed.cancel();
    }
  };
  return response;
}

std::optional<HttpResponse> StreamableHttp::resume(const std::shared_ptr<Session>& session,
                                                   const std::string& last_event_id) {
  const auto parsed = parse_event_id(last_event_id);
  if (!parsed) return std::nullopt;
  auto reply = streams_->find(parsed->first, session->id());
  if (!reply) return std::nullopt;
  HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  const auto keepalive = options_.keepalive;
  const std::string stream_id = parsed->first;
  const size_t cursor = parsed->second;
  const size_t close_from = reply->size();
  response.stream = [reply, keepalive, session, stream_id, cursor,
                     close_from](StreamWriter& writer) {
    stream_events(writer, *reply, cursor, close_from, stream_id, keepalive, session);
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
  if (!accepts_media_type(request.header("Accept"), "text/event-stream")) {
    return rpc_error(406, nullptr, jsonrpc::kInvalidRequest,
                     "Not Acceptable: Accept must list text/event-stream");
  }
  auto session = sessions_.find(*session_id);
  if (!session) {
    return rpc_error(404, nullptr, jsonrpc::kInvalidRequest, "Session not found");
  }
  // A client resuming a request's stream; an id we no longer know opens a plain stream instead
  // (the events it missed are gone either way).
  if (const auto last_event_id = request.header("Last-Event-ID")) {
    if (auto resumed = resume(session, *last_event_id)) return std::move(*resumed);
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
  const std::string& id = *session_id;
  response.stream = [counter, keepalive, &sessions, id](StreamWriter& writer) {
    // Messages the client did not ask for (notifications/resources/updated) go out on this
    // stream while it is open; it stays open until the session ends, the client leaves, or the
    // server stops. The newest GET stream of a session is the one that carries them.
    auto outbox = std::make_shared<std::deque<std::string>>();  // guarded by counter->mutex
    uint64_t channel = 0;
    // While the stream is open the session is in use: neither evicted nor expired.
    struct OpenStream {
      std::shared_ptr<Session> session;
      ~OpenStream() {
        if (session) session->stream_closed();
      }
    } open{sessions.find(id)};
    if (open.session) open.session->stream_opened();
    if (auto session = open.session) {
      channel = session->set_unsolicited_channel([counter, outbox](const nlohmann::json& message) {
        {
          std::lock_guard lock(counter->mutex);
          outbox->push_back(sse::event(jsonrpc::serialize(message)));
        }
        counter->changed.notify_all();
        return true;
      });
    }
    std::unique_lock lock(counter->mutex);
    while (!counter->shutting_down) {
      std::deque<std::string> due;
      due.swap(*outbox);
      lock.unlock();
      auto session = sessions.find(id);
      bool alive = static_cast<bool>(session);
      for (const auto& event : due) alive = alive && writer.write(event);
      if (due.empty()) alive = alive && writer.write(sse::comment());
      if (session) session->touch();
      lock.lock();
      if (!alive) break;
      counter->changed.wait_for(lock, keepalive,
                                [&] { return counter->shutting_down || !outbox->empty(); });
    }
    --counter->open;
    lock.unlock();
    if (auto session = sessions.find(id)) session->clear_unsolicited_channel(channel);
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
  streams_->forget_session(*session_id);
  return HttpResponse::empty(200);
}

}  // namespace benchtop
