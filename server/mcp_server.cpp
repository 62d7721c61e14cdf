#include "server/mcp_server.h"

#include <optional>
#include <utility>
#include <variant>

#include "common/log.h"
#include "server/protocol.h"

namespace benchtop {

struct McpServer::RequestScope {
  mcp::Era era = mcp::Era::kLegacy;
  std::string version;
  nlohmann::json client_capabilities = nlohmann::json::object();
};

namespace {

using jsonrpc::make_error;
using jsonrpc::make_result;

// How long clients may cache list results (2026-07-28 caching). The tool set is fixed for the
// life of the process, so an hour is honest; a restart with other tools is rare and the client
// re-fetches on an unknown-tool error anyway.
constexpr int64_t kListTtlMs = 3600 * 1000;

// The 2025 revisions' code for an unknown resource URI.
constexpr int kLegacyResourceNotFound = -32002;

const nlohmann::json* find_meta(const nlohmann::json& params) {
  if (!params.is_object()) return nullptr;
  auto it = params.find("_meta");
  if (it == params.end() || !it->is_object()) return nullptr;
  return &*it;
}

nlohmann::json supported_versions() {
  nlohmann::json list = nlohmann::json::array();
  for (auto v : mcp::kSupportedVersions) list.push_back(std::string(v));
  return list;
}

nlohmann::json unsupported_version_error(const jsonrpc::Id& id, const nlohmann::json& requested) {
  return make_error(id, jsonrpc::kUnsupportedProtocolVersion, "Unsupported protocol version",
                    {{"supported", supported_versions()}, {"requested", requested}});
}

// A reply channel that turns the final response into nothing once the request was cancelled, and
// makes sure exactly one of respond/abandon happens.
void deliver(const std::shared_ptr<ReplyChannel>& reply, const CancellationToken& cancelled,
             nlohmann::json response) {
  if (cancelled.cancelled()) {
    reply->abandon();
  } else {
    reply->respond(response);
  }
}

}  // namespace

McpServer::McpServer(ServerIdentity identity, const ToolRegistry& tools, WorkerPool& workers)
    : identity_(std::move(identity)), tools_(tools), workers_(workers) {}

nlohmann::json McpServer::capabilities() const {
  return {{"tools", {{"listChanged", false}}},
          {"resources", {{"listChanged", false}, {"subscribe", false}}},
          {"prompts", {{"listChanged", false}}},
          {"logging", nlohmann::json::object()}};
}

nlohmann::json McpServer::invalid_message_error(const jsonrpc::Invalid& invalid) {
  return make_error(invalid.id, invalid.code, invalid.message);
}

void McpServer::handle(const std::shared_ptr<Session>& session, const jsonrpc::Message& message,
                       const std::shared_ptr<ReplyChannel>& reply,
                       const CancellationToken& transport_cancel) {
  session->touch();
  if (const auto* request = std::get_if<jsonrpc::Request>(&message)) {
    handle_request(session, *request, reply, transport_cancel);
  } else if (const auto* notification = std::get_if<jsonrpc::Notification>(&message)) {
    handle_notification(session, *notification);
  } else if (const auto* invalid = std::get_if<jsonrpc::Invalid>(&message)) {
    reply->respond(invalid_message_error(*invalid));
  }
  // Responses: this server sends no requests of its own yet, so there is nothing to match.
}

void McpServer::handle_notification(const std::shared_ptr<Session>& session,
                                    const jsonrpc::Notification& notification) {
  if (notification.method == "notifications/cancelled") {
    if (notification.params.is_object() && notification.params.contains("requestId")) {
      session->cancel_request(notification.params["requestId"]);
    }
    return;
  }
  // notifications/initialized and anything unknown: nothing to do (unknown notifications must be
  // ignored, not answered).
}

std::variant<McpServer::RequestScope, nlohmann::json> McpServer::resolve_scope(
    const std::shared_ptr<Session>& session, const jsonrpc::Request& request) const {
  const auto& id = request.id;
  RequestScope scope;
  const nlohmann::json* meta = find_meta(request.params);
  const bool has_meta_version = meta && meta->contains(mcp::kMetaProtocolVersion);
  if (has_meta_version) {
    const auto& version = (*meta)[mcp::kMetaProtocolVersion];
    if (!version.is_string() || !mcp::is_supported_version(version.get<std::string>())) {
      return unsupported_version_error(id, version);
    }
    scope.version = version.get<std::string>();
  }
  if (has_meta_version && mcp::is_modern_version(scope.version)) {
    scope.era = mcp::Era::kModern;
    auto caps = meta->find(mcp::kMetaClientCapabilities);
    if (caps == meta->end() || !caps->is_object()) {
      return make_error(id, jsonrpc::kInvalidParams,
                        std::string("Missing required _meta field \"") +
                            std::string(mcp::kMetaClientCapabilities) + "\"");
    }
    scope.client_capabilities = *caps;
    return scope;
  }
  if (request.method == "initialize") return scope;  // the handshake itself: legacy
  if (session->initialized()) {
    scope.version = session->protocol_version();
    scope.client_capabilities = session->client_capabilities();
    return scope;
  }
  if (request.method == "ping" || request.method == "server/discover") return scope;
  if (has_meta_version) {
    return make_error(id, jsonrpc::kInvalidRequest,
                      "Protocol revision " + scope.version +
                          " needs the initialize handshake before other requests: send "
                          "\"initialize\" first, or use revision 2026-07-28, which needs none");
  }
  // Neither a handshake nor per-request metadata: a modern request missing its required field,
  // or a legacy client that skipped initialize. The message serves both.
  return make_error(id, jsonrpc::kInvalidParams,
                    std::string("Missing required _meta field \"") +
                        std::string(mcp::kMetaProtocolVersion) +
                        "\" (or send \"initialize\" first to use a 2025 protocol revision)");
}

void McpServer::handle_request(const std::shared_ptr<Session>& session,
                               const jsonrpc::Request& request,
                               const std::shared_ptr<ReplyChannel>& reply,
                               const CancellationToken& transport_cancel) {
  const auto& id = request.id;
  const auto& method = request.method;

  auto resolved = resolve_scope(session, request);
  if (auto* error = std::get_if<nlohmann::json>(&resolved)) {
    reply->respond(*error);
    return;
  }
  const RequestScope& scope = std::get<RequestScope>(resolved);
  const bool modern = scope.era == mcp::Era::kModern;

  // Methods that exist only in the 2025 revisions; 2026-07-28 removed them.
  const bool legacy_only = method == "initialize" || method == "ping" ||
                           method == "logging/setLevel" || method == "resources/subscribe" ||
                           method == "resources/unsubscribe";
  if (modern && legacy_only) {
    reply->respond(make_error(id, jsonrpc::kMethodNotFound,
                              "Method not found: " + method + " (not part of protocol revision " +
                                  std::string(mcp::kModernVersion) + ")"));
    return;
  }

  auto respond = [&](nlohmann::json result, bool cacheable) {
    reply->respond(make_result(id, finish_result(scope, std::move(result), cacheable)));
  };
  auto reject_cursor = [&]() {
    // Every list fits on one page, so no cursor was ever issued.
    if (request.params.is_object() && request.params.contains("cursor")) {
      reply->respond(make_error(id, jsonrpc::kInvalidParams, "Invalid cursor"));
      return true;
    }
    return false;
  };

  if (method == "initialize") {
    reply->respond(initialize(session, request));
  } else if (method == "ping") {
    respond(nlohmann::json::object(), false);
  } else if (method == "logging/setLevel") {
    respond(nlohmann::json::object(), false);
  } else if (method == "server/discover") {
    respond(discover(), true);
  } else if (method == "tools/list") {
    if (!reject_cursor()) respond({{"tools", tools_.list()}}, true);
  } else if (method == "tools/call") {
    call_tool(session, request, scope, reply, transport_cancel);
  } else if (method == "resources/list") {
    if (!reject_cursor()) respond({{"resources", nlohmann::json::array()}}, true);
  } else if (method == "resources/templates/list") {
    if (!reject_cursor()) respond({{"resourceTemplates", nlohmann::json::array()}}, true);
  } else if (method == "resources/read") {
    const std::string uri = request.params.is_object() ? request.params.value("uri", "") : "";
    // 2026-07-28 moved "resource not found" from -32002 to Invalid Params.
    reply->respond(make_error(id, modern ? jsonrpc::kInvalidParams : kLegacyResourceNotFound,
                              "Resource not found: " + uri, {{"uri", uri}}));
  } else if (method == "prompts/list") {
    if (!reject_cursor()) respond({{"prompts", nlohmann::json::array()}}, true);
  } else {
    reply->respond(make_error(id, jsonrpc::kMethodNotFound, "Method not found: " + method));
  }
}

nlohmann::json McpServer::initialize(const std::shared_ptr<Session>& session,
                                     const jsonrpc::Request& request) {
  const auto& params = request.params;
  if (!params.is_object() || !params.contains("protocolVersion") ||
      !params["protocolVersion"].is_string()) {
    return make_error(request.id, jsonrpc::kInvalidParams,
                      "initialize needs params.protocolVersion (a string)");
  }
  const std::string requested = params["protocolVersion"].get<std::string>();
  // Version negotiation: echo a legacy version we speak, otherwise offer our newest legacy one
  // (the handshake cannot select the modern, handshake-free revision).
  const std::string negotiated =
      mcp::is_legacy_version(requested) ? requested : std::string(mcp::kLatestLegacyVersion);
  nlohmann::json capabilities = params.value("capabilities", nlohmann::json::object());
  if (!capabilities.is_object()) capabilities = nlohmann::json::object();
  nlohmann::json client_info = params.value("clientInfo", nlohmann::json::object());
  session->set_initialized(negotiated, std::move(capabilities), std::move(client_info));

  nlohmann::json result = {
      {"protocolVersion", negotiated},
      {"capabilities", this->capabilities()},
      {"serverInfo",
       {{"name", identity_.name}, {"title", identity_.title}, {"version", identity_.version}}},
  };
  if (!identity_.instructions.empty()) result["instructions"] = identity_.instructions;
  return make_result(request.id, std::move(result));
}

nlohmann::json McpServer::discover() const {
  nlohmann::json result = {{"supportedVersions", supported_versions()},
                           {"capabilities", capabilities()}};
  if (!identity_.instructions.empty()) result["instructions"] = identity_.instructions;
  return result;
}

nlohmann::json McpServer::finish_result(const RequestScope& scope, nlohmann::json result,
                                        bool cacheable) const {
  if (scope.era != mcp::Era::kModern) return result;
  result["resultType"] = "complete";
  result["_meta"][mcp::kMetaServerInfo] = {{"name", identity_.name},
                                           {"version", identity_.version}};
  if (cacheable) {
    result["ttlMs"] = kListTtlMs;
    result["cacheScope"] = "public";
  }
  return result;
}

void McpServer::call_tool(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                          const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                          const CancellationToken& transport_cancel) {
  const auto& params = request.params;
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string()) {
    reply->respond(
        make_error(request.id, jsonrpc::kInvalidParams, "tools/call needs params.name (a string)"));
    return;
  }
  const std::string name = params["name"].get<std::string>();
  if (!tools_.contains(name)) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                              "Unknown tool: " + name + ". Call tools/list to see the tools."));
    return;
  }
  nlohmann::json arguments = params.value("arguments", nlohmann::json::object());
  if (arguments.is_null()) arguments = nlohmann::json::object();
  if (!arguments.is_object()) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                              "tools/call params.arguments must be an object"));
    return;
  }

  CancellationSource source;
  if (!session->begin_request(request.id, source)) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidRequest,
                              "A request with this id is already in progress"));
    return;
  }
  transport_cancel.on_cancel([source] { source.cancel(); });

  std::optional<nlohmann::json> progress_token;
  if (const auto* meta = find_meta(params); meta && meta->contains("progressToken")) {
    const auto& token = (*meta)["progressToken"];
    if (token.is_string() || token.is_number_integer()) progress_token = token;
  }

  workers_.submit([this, session, reply, scope, source, progress_token, name,
                   arguments = std::move(arguments), id = request.id]() {
    const CancellationToken token = source.token();
    ToolContext::ProgressSink progress;
    if (progress_token) {
      progress = [reply, token, progress_token](double value, std::optional<double> total,
                                                const std::string& message) {
        if (token.cancelled()) return;
        nlohmann::json params = {{"progressToken", *progress_token}, {"progress", value}};
        if (total) params["total"] = *total;
        if (!message.empty()) params["message"] = message;
        reply->notify(jsonrpc::make_notification("notifications/progress", std::move(params)));
      };
    }
    ToolContext context(token, std::move(progress), scope.client_capabilities, scope.version);
    std::optional<ToolResult> result = tools_.call(name, arguments, context);
    session->end_request(id);
    nlohmann::json body = result ? std::move(*result).to_json()
                                 : ToolResult::error("Unknown tool: " + name).to_json();
    deliver(reply, token, make_result(id, finish_result(scope, std::move(body), false)));
  });
}

}  // namespace benchtop
