#include "server/mcp/mcp_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>

#include "common/log.h"
#include "server/mcp/mcp_server_internal.h"
#include "server/mcp/protocol.h"
#include "server/mcp/sessions/task_store.h"

namespace benchtop {

namespace {

using jsonrpc::make_error;
using jsonrpc::make_result;

// How long clients may cache list results (2026-07-28 caching). The tool set is fixed for the
// life of the process, so an hour is honest; a restart with other tools is rare and the client
// re-fetches on an unknown-tool error anyway.
constexpr int64_t kListTtlMs = 3600 * 1000;

// The 2025 revisions' code for an unknown resource URI.
constexpr int kLegacyResourceNotFound = -32002;

// Completion values per answer, as the protocol caps them.
constexpr size_t kMaxCompletionValues = 100;

// RFC 5424 severities in increasing order, as logging/setLevel names them.
constexpr std::array<std::string_view, 8> kLogLevels = {"debug", "info",     "notice", "warning",
                                                        "error", "critical", "alert",  "emergency"};

int log_rank(std::string_view level) {
  for (size_t i = 0; i < kLogLevels.size(); ++i) {
    if (kLogLevels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

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
  return make_error(id, mcp::kUnsupportedProtocolVersion, "Unsupported protocol version",
                    {{"supported", supported_versions()}, {"requested", requested}});
}

nlohmann::json error_object(int code, const std::string& message,
                            const nlohmann::json& data = nullptr) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return error;
}

// The client capability a server-to-client method needs.
std::string capability_for(const std::string& method) {
  if (method == "sampling/createMessage") return "sampling";
  if (method == "elicitation/create") return "elicitation";
  if (method == "roots/list") return "roots";
  return {};
}

std::string string_param(const nlohmann::json& params, const char* key) {
  if (!params.is_object()) return {};
  auto it = params.find(key);
  return it != params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A reply channel that turns the final response into nothing once the request was cancelled, and
// makes sure exactly one of respond/abandon happens.
void deliver(const std::shared_ptr<ReplyChannel>& reply, const CancellationToken& cancelled,
             const nlohmann::json& response) {
  if (cancelled.cancelled()) {
    reply->abandon();
  } else {
    reply->respond(response);
  }
}

}  // namespace

McpServer::McpServer(ServerIdentity identity, const ToolRegistry& tools, WorkerPool& workers)
    : identity_(std::move(identity)),
      own_resources_(std::make_unique<ResourceRegistry>()),
      own_prompts_(std::make_unique<PromptRegistry>()),
      tools_(tools),
      resources_(*own_resources_),
      prompts_(*own_prompts_),
      workers_(workers),
      task_store_(std::make_unique<TaskStore>(std::chrono::hours(1))) {}

McpServer::McpServer(ServerIdentity identity, const ToolRegistry& tools,
                     const ResourceRegistry& resources, const PromptRegistry& prompts,
                     WorkerPool& workers)
    : identity_(std::move(identity)),
      tools_(tools),
      resources_(resources),
      prompts_(prompts),
      workers_(workers),
      task_store_(std::make_unique<TaskStore>(std::chrono::hours(1))) {}

void McpServer::set_long_call_limits(LongCallLimits limits) {
  long_calls_ = std::make_unique<LongCallPool>(limits);
}

LongCallPool::Call McpServer::long_call(const std::shared_ptr<Session>& session,
                                        const std::string& tool,
                                        const nlohmann::json& arguments) const {
  LongCallPool::Call call;
  call.tool = tool;
  call.client = session->client();
  call.project_label = string_param(arguments, "project");
  call.project = project_of_call_ ? project_of_call_(tool, arguments) : call.project_label;
  if (call.project_label.empty()) call.project_label = call.project;
  return call;
}

nlohmann::json McpServer::capabilities() const {
  return capabilities(false);
}

// Every method behind these capabilities is implemented, even with empty registries (an empty
// list is an honest answer). The tool list changes when the exec kill switch hides or shows the
// tools that run commands; resources and prompts never change. Resource subscriptions are
// resources/subscribe in 2025 and subscriptions/listen in 2026-07-28.
nlohmann::json McpServer::capabilities(bool) const {
  nlohmann::json resources = {{"listChanged", false}, {"subscribe", true}};
  nlohmann::json capabilities = {{"tools", {{"listChanged", true}}},
                                 {"resources", std::move(resources)},
                                 {"prompts", {{"listChanged", false}}},
                                 {"completions", nlohmann::json::object()},
                                 {"logging", nlohmann::json::object()}};
  if (!task_support_.empty()) {
    capabilities["extensions"][std::string(mcp::kTasksExtension)] = nlohmann::json::object();
  }
  return capabilities;
}

nlohmann::json McpServer::invalid_message_error(const jsonrpc::Invalid& invalid) {
  return jsonrpc::make_invalid_message_error(invalid);
}

void McpServer::handle(const std::shared_ptr<Session>& session, const jsonrpc::Message& message,
                       const std::shared_ptr<ReplyChannel>& reply,
                       const CancellationToken& transport_cancel) {
  session->touch();
  // Anything after initialize shows the client is really there (SessionStore expires sessions
  // whose handshake never finishes).
  if (const auto* as_request = std::get_if<jsonrpc::Request>(&message);
      !as_request || as_request->method != "initialize") {
    session->confirm_handshake();
  }
  if (const auto* request = std::get_if<jsonrpc::Request>(&message)) {
    handle_request(session, *request, reply, transport_cancel);
  } else if (const auto* notification = std::get_if<jsonrpc::Notification>(&message)) {
    handle_notification(session, *notification);
  } else if (const auto* invalid = std::get_if<jsonrpc::Invalid>(&message)) {
    reply->respond(invalid_message_error(*invalid));
  } else if (const auto* response = std::get_if<jsonrpc::Response>(&message)) {
    // The answer to one of our server-to-client requests; an unknown id (a late answer to a
    // request that timed out) is dropped.
    nlohmann::json body = nlohmann::json::object();
    if (response->result) body["result"] = *response->result;
    if (response->error) body["error"] = *response->error;
    session->complete_client_request(response->id, std::move(body));
  }
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
    if (auto level = meta->find(mcp::kMetaLogLevel);
        level != meta->end() && level->is_string() && log_rank(level->get<std::string>()) >= 0) {
      scope.log_level = level->get<std::string>();
    }
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

  const bool handshake = method == "initialize" || method == "ping" ||
                         method == "logging/setLevel" || method == "server/discover";
  if (startup_gate_ && !handshake) {
    if (const Status& started = startup_gate_->wait(); !started) {
      reply->respond(make_error(id, jsonrpc::kInternalError,
                                "The server could not start: " + started.error().message));
      return;
    }
  }

  auto respond = [&](nlohmann::json result, CacheScope cache) {
    reply->respond(make_result(id, finish_result(scope, std::move(result), cache)));
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
    respond(nlohmann::json::object(), CacheScope::kNone);
  } else if (method == "logging/setLevel") {
    const std::string level = string_param(request.params, "level");
    if (log_rank(level) < 0) {
      reply->respond(make_error(id, jsonrpc::kInvalidParams,
                                "logging/setLevel needs params.level, one of debug, info, notice, "
                                "warning, error, critical, alert, emergency"));
      return;
    }
    session->set_log_level(level);
    respond(nlohmann::json::object(), CacheScope::kNone);
  } else if (method == "server/discover") {
    respond(discover(modern), CacheScope::kPublic);
  } else if (method == "tools/list") {
    if (!reject_cursor()) respond({{"tools", tools_.list()}}, CacheScope::kPublic);
  } else if (method == "tools/call") {
    call_tool(session, request, scope, reply, transport_cancel);
  } else if (method == "resources/list") {
    if (!reject_cursor()) respond({{"resources", resources_.list()}}, CacheScope::kPrivate);
  } else if (method == "resources/templates/list") {
    if (!reject_cursor())
      respond({{"resourceTemplates", resources_.list_templates()}}, CacheScope::kPublic);
  } else if (method == "resources/read") {
    read_resource(session, request, scope, reply, transport_cancel);
  } else if (method == "resources/subscribe" || method == "resources/unsubscribe") {
    const std::string uri = string_param(request.params, "uri");
    if (uri.empty()) {
      reply->respond(make_error(id, jsonrpc::kInvalidParams, method + " needs params.uri"));
      return;
    }
    if (method == "resources/subscribe") {
      session->subscribe(uri);
      {
        std::lock_guard lock(subscriptions_mutex_);
        std::erase_if(legacy_subscribers_, [](const auto& weak) { return weak.expired(); });
        const bool known = std::any_of(legacy_subscribers_.begin(), legacy_subscribers_.end(),
                                       [&](const auto& weak) { return weak.lock() == session; });
        if (!known) legacy_subscribers_.push_back(session);
      }
      watch_resource(uri);
    } else {
      session->unsubscribe(uri);
    }
    respond(nlohmann::json::object(), CacheScope::kNone);
  } else if (method == "prompts/list") {
    if (!reject_cursor()) respond({{"prompts", prompts_.list()}}, CacheScope::kPublic);
  } else if (method == "prompts/get") {
    get_prompt(session, request, scope, reply, transport_cancel);
  } else if (method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel") {
    handle_task_method(request, scope, reply);
  } else if (method == "subscriptions/listen" && modern) {
    listen(session, request, reply, transport_cancel);
  } else if (method == "completion/complete") {
    nlohmann::json answer = complete(request);
    if (answer.contains("error")) {
      reply->respond(answer);
    } else {
      respond(std::move(answer["result"]), CacheScope::kNone);
    }
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
  {
    std::lock_guard lock(subscriptions_mutex_);
    std::erase_if(legacy_sessions_, [](const auto& weak) { return weak.expired(); });
    legacy_sessions_.push_back(session);
  }

  nlohmann::json result = {
      {"protocolVersion", negotiated},
      {"capabilities", this->capabilities()},
      {"serverInfo",
       {{"name", identity_.name}, {"title", identity_.title}, {"version", identity_.version}}},
  };
  if (std::string text = instructions(); !text.empty()) result["instructions"] = std::move(text);
  return make_result(request.id, std::move(result));
}

nlohmann::json McpServer::discover(bool modern) const {
  nlohmann::json result = {{"supportedVersions", supported_versions()},
                           {"capabilities", capabilities(modern)}};
  if (std::string text = instructions(); !text.empty()) result["instructions"] = std::move(text);
  return result;
}

std::string McpServer::instructions() const {
  std::string text = identity_.instructions;
  if (!identity_.instructions_addendum) return text;
  // What the addendum reports exists once start-up is done (stdio answers the handshake before).
  if (startup_gate_ && !startup_gate_->wait()) return text;
  return text + identity_.instructions_addendum();
}

nlohmann::json McpServer::finish_result(const RequestScope& scope, nlohmann::json result,
                                        CacheScope cache) const {
  if (scope.era != mcp::Era::kModern) return result;
  result["resultType"] = "complete";
  result["_meta"][mcp::kMetaServerInfo] = {{"name", identity_.name},
                                           {"version", identity_.version}};
  if (cache != CacheScope::kNone) {
    result["ttlMs"] = cache == CacheScope::kPrivateStale ? 0 : kListTtlMs;
    result["cacheScope"] = cache == CacheScope::kPublic ? "public" : "private";
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
  if (start_task(session, request, scope, reply, name, arguments)) return;
  auto it = task_support_.find(name);
  std::shared_ptr<Escalation> escalation;
  if (it != task_support_.end() && it->second == TaskSupport::kEscalates) {
    escalation = prepare_escalation(request, scope, reply, name);
    if (!escalation) return;  // refused: the client cannot take a task
  }
  std::optional<LongCallPool::Call> long_running;
  if (tools_.execution(name) == ToolExecution::kLongRunning) {
    long_running = long_call(session, name, arguments);
  }
  run_on_worker(
      session, request, scope, reply, transport_cancel,
      [this, name, escalation, arguments = std::move(arguments)](ToolContext& context) {
        if (escalation) context.set_continue_as_task(escalation_hook(escalation));
        std::optional<ToolResult> result = tools_.call(name, arguments, context);
        if (escalation && escalated(*escalation)) {
          return finish_escalation(*escalation, std::move(result));
        }
        if (result && result->protocol_error) {
          return Answer{nullptr, *result->protocol_error};
        }
        return Answer{result ? std::move(*result).to_json()
                             : ToolResult::error("Unknown tool: " + name).to_json(),
                      std::nullopt};
      },
      long_running);
}

void McpServer::read_resource(const std::shared_ptr<Session>& session,
                              const jsonrpc::Request& request, const RequestScope& scope,
                              const std::shared_ptr<ReplyChannel>& reply,
                              const CancellationToken& transport_cancel) {
  const std::string uri = string_param(request.params, "uri");
  if (uri.empty()) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                              "resources/read needs params.uri (a string)"));
    return;
  }
  const bool modern = scope.era == mcp::Era::kModern;
  run_on_worker(
      session, request, scope, reply, transport_cancel, [this, uri, modern](ToolContext& context) {
        auto contents = resources_.read(uri, context);
        if (contents) {
          return Answer{
              {{"contents", std::move(*contents)}}, std::nullopt, CacheScope::kPrivateStale};
        }
        if (contents.error().code == kResourceNotFound) {
          // 2026-07-28 moved "resource not found" from -32002 to Invalid Params.
          return Answer{nullptr,
                        error_object(modern ? jsonrpc::kInvalidParams : kLegacyResourceNotFound,
                                     contents.error().message, {{"uri", uri}})};
        }
        return Answer{nullptr, error_object(jsonrpc::kInvalidParams, contents.error().message,
                                            {{"uri", uri}})};
      });
}

void McpServer::get_prompt(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                           const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                           const CancellationToken& transport_cancel) {
  const std::string name = string_param(request.params, "name");
  if (name.empty()) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                              "prompts/get needs params.name (a string)"));
    return;
  }
  std::map<std::string, std::string> arguments;
  if (request.params.contains("arguments") && !request.params["arguments"].is_null()) {
    const auto& given = request.params["arguments"];
    if (!given.is_object()) {
      reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                                "prompts/get params.arguments must be an object of strings"));
      return;
    }
    for (const auto& [key, value] : given.items()) {
      if (!value.is_string()) {
        reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                                  "prompts/get argument '" + key + "' must be a string"));
        return;
      }
      arguments[key] = value.get<std::string>();
    }
  }
  run_on_worker(
      session, request, scope, reply, transport_cancel,
      [this, name, arguments = std::move(arguments)](ToolContext& context) {
        auto result = prompts_.get(name, arguments, context);
        if (result) return Answer{std::move(*result), std::nullopt};
        return Answer{nullptr, error_object(jsonrpc::kInvalidParams, result.error().message)};
      });
}

nlohmann::json McpServer::complete(const jsonrpc::Request& request) const {
  const auto& params = request.params;
  const nlohmann::json ref = params.is_object() ? params.value("ref", nlohmann::json()) : nullptr;
  const nlohmann::json argument =
      params.is_object() ? params.value("argument", nlohmann::json()) : nullptr;
  if (!ref.is_object() || !argument.is_object() || !argument.contains("name") ||
      !argument["name"].is_string()) {
    return make_error(request.id, jsonrpc::kInvalidParams,
                      "completion/complete needs params.ref and params.argument {name, value}");
  }
  const std::string argument_name = argument["name"].get<std::string>();
  const std::string value = string_param(argument, "value");
  std::map<std::string, std::string> context_arguments;
  if (params.contains("context") && params["context"].is_object() &&
      params["context"].contains("arguments") && params["context"]["arguments"].is_object()) {
    for (const auto& [key, v] : params["context"]["arguments"].items()) {
      if (v.is_string()) context_arguments[key] = v.get<std::string>();
    }
  }
  const std::string type = string_param(ref, "type");
  std::optional<std::vector<std::string>> values;
  if (type == "ref/prompt") {
    values = prompts_.complete(string_param(ref, "name"), argument_name, value, context_arguments);
    if (!values) {
      return make_error(request.id, jsonrpc::kInvalidParams,
                        "Unknown prompt: " + string_param(ref, "name"));
    }
  } else if (type == "ref/resource") {
    values = resources_.complete(string_param(ref, "uri"), argument_name, value, context_arguments);
    if (!values) {
      return make_error(request.id, jsonrpc::kInvalidParams,
                        "Unknown resource template: " + string_param(ref, "uri"));
    }
  } else {
    return make_error(request.id, jsonrpc::kInvalidParams,
                      "completion/complete params.ref.type must be ref/prompt or ref/resource");
  }
  const size_t total = values->size();
  if (values->size() > kMaxCompletionValues) values->resize(kMaxCompletionValues);
  return make_result(
      request.id,
      {{"completion",
        {{"values", *values}, {"total", total}, {"hasMore", total > kMaxCompletionValues}}}});
}

struct McpServer::Subscription {
  nlohmann::json id;
  nlohmann::json filter;  // the acknowledged subset of the client's filter
  std::shared_ptr<ReplyChannel> reply;
  std::shared_ptr<Session> session;
  std::atomic<bool> ended{false};
};

namespace {

nlohmann::json subscription_meta(const nlohmann::json& id) {
  return {{std::string(mcp::kMetaSubscriptionId), id}};
}

}  // namespace

void McpServer::listen(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                       const std::shared_ptr<ReplyChannel>& reply,
                       const CancellationToken& transport_cancel) {
  const nlohmann::json requested = request.params.is_object()
                                       ? request.params.value("notifications", nlohmann::json())
                                       : nlohmann::json();
  if (!requested.is_object()) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                              "subscriptions/listen needs params.notifications (an object)"));
    return;
  }
  // The subset honoured: the three list-changed flags and resource URIs. Anything else the
  // client asked for is left out of the acknowledgement, as the protocol prescribes.
  nlohmann::json filter = nlohmann::json::object();
  for (const char* flag : {"toolsListChanged", "promptsListChanged", "resourcesListChanged"}) {
    if (requested.contains(flag) && requested[flag] == true) filter[flag] = true;
  }
  if (requested.contains("resourceSubscriptions") &&
      requested["resourceSubscriptions"].is_array()) {
    nlohmann::json uris = nlohmann::json::array();
    for (const auto& uri : requested["resourceSubscriptions"]) {
      if (uri.is_string()) uris.push_back(uri);
    }
    for (const auto& uri : uris) watch_resource(uri.get<std::string>());
    filter["resourceSubscriptions"] = std::move(uris);
  }

  CancellationSource source;
  if (!session->begin_request(request.id, source)) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidRequest,
                              "A request with this id is already in progress"));
    return;
  }
  auto subscription = std::make_shared<Subscription>();
  subscription->id = request.id;
  subscription->filter = filter;
  subscription->reply = reply;
  subscription->session = session;
  {
    std::lock_guard lock(subscriptions_mutex_);
    subscriptions_.push_back(subscription);
  }
  // The acknowledgement is the first message of the subscription.
  reply->notify(jsonrpc::make_notification(
      "notifications/subscriptions/acknowledged",
      {{"_meta", subscription_meta(request.id)}, {"notifications", filter}}));

  // The client ends it by cancelling (stdio) or closing the stream (HTTP): no response follows.
  transport_cancel.on_cancel([source] { source.cancel(); });
  std::weak_ptr<Subscription> weak = subscription;
  source.token().on_cancel([this, weak] {
    auto ended = weak.lock();
    if (!ended || ended->ended.exchange(true)) return;
    {
      std::lock_guard lock(subscriptions_mutex_);
      std::erase(subscriptions_, ended);
    }
    ended->session->end_request(ended->id);
    ended->reply->abandon();
  });
}

void McpServer::publish(const std::function<bool(const nlohmann::json& filter)>& wants,
                        const std::string& method, const nlohmann::json& params) {
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard lock(subscriptions_mutex_);
    for (const auto& subscription : subscriptions_) {
      if (wants(subscription->filter)) targets.push_back(subscription);
    }
  }
  for (const auto& subscription : targets) {
    if (subscription->ended) continue;
    nlohmann::json tagged = params;
    tagged["_meta"] = subscription_meta(subscription->id);
    subscription->reply->notify(jsonrpc::make_notification(method, std::move(tagged)));
  }
}

void McpServer::notify_list_changed(std::string_view list) {
  const std::string method = "notifications/" + std::string(list) + "/list_changed";
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(subscriptions_mutex_);
    std::erase_if(legacy_sessions_, [](const auto& weak) { return weak.expired(); });
    for (const auto& weak : legacy_sessions_) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  const nlohmann::json notification = jsonrpc::make_notification(method, nlohmann::json::object());
  for (const auto& session : sessions) session->send_unsolicited(notification);
  const std::string flag = std::string(list) + "ListChanged";
  publish([&](const nlohmann::json& filter) { return filter.value(flag, false); }, method,
          nlohmann::json::object());
}

void McpServer::watch_resource(const std::string& uri) {
  {
    // Bounded: each watched URI holds a callback, and its directory an inotify watch of the
    // user's limited supply.
    constexpr size_t kMaxWatchedUris = 4096;
    std::lock_guard lock(watched_mutex_);
    if (watched_uris_.size() >= kMaxWatchedUris) {
      log::warning("not watching " + uri + ": " + std::to_string(kMaxWatchedUris) +
                   " resources are watched already");
      return;
    }
    if (!watched_uris_.insert(uri).second) return;
  }
  // The watcher may call back after this server is gone (it belongs to the services, which
  // outlive it): the callback goes through a pointer the destructor clears under the same lock.
  auto self = self_;
  Status watching = resources_.watch(uri, [self, uri] {
    std::lock_guard lock(self->mutex);
    if (self->server) self->server->notify_resource_updated(uri);
  });
  // A URI that cannot be watched now (unknown, its directory missing, no watcher): the
  // subscription is still accepted and never fires; subscribing again later tries again.
  if (!watching) {
    log::debug("not watching " + uri + ": " + watching.error().message);
    std::lock_guard lock(watched_mutex_);
    watched_uris_.erase(uri);
  }
}

void McpServer::notify_resource_updated(const std::string& uri) {
  const nlohmann::json notification =
      jsonrpc::make_notification("notifications/resources/updated", {{"uri", uri}});
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(subscriptions_mutex_);
    std::erase_if(legacy_subscribers_, [](const auto& weak) { return weak.expired(); });
    for (const auto& weak : legacy_subscribers_) {
      if (auto session = weak.lock(); session && session->subscribed(uri)) {
        sessions.push_back(std::move(session));
      }
    }
  }
  for (const auto& session : sessions) session->send_unsolicited(notification);
  publish(
      [&](const nlohmann::json& filter) {
        if (!filter.contains("resourceSubscriptions")) return false;
        const auto& uris = filter["resourceSubscriptions"];
        return std::find(uris.begin(), uris.end(), uri) != uris.end();
      },
      "notifications/resources/updated", {{"uri", uri}});
}

void McpServer::close_subscriptions() {
  std::vector<std::shared_ptr<Subscription>> open;
  {
    std::lock_guard lock(subscriptions_mutex_);
    open.swap(subscriptions_);
  }
  for (const auto& subscription : open) {
    if (subscription->ended.exchange(true)) continue;
    subscription->session->end_request(subscription->id);
    subscription->reply->respond(
        make_result(subscription->id,
                    {{"resultType", "complete"}, {"_meta", subscription_meta(subscription->id)}}));
  }
}

std::variant<std::shared_ptr<McpServer::InputRound>, nlohmann::json> McpServer::open_input_round(
    const jsonrpc::Request& request, const std::string& target) const {
  auto round = std::make_shared<InputRound>();
  round->method = request.method;
  round->target = target;
  const auto& params = request.params;
  if (!params.is_object()) return round;
  if (auto state = params.find("requestState"); state != params.end() && !state->is_null()) {
    if (!state->is_string()) {
      return make_error(request.id, jsonrpc::kInvalidParams, "requestState must be a string");
    }
    auto opened = sealer_.open(state->get<std::string>());
    if (!opened || !opened->is_object() || opened->value("method", "") != round->method ||
        opened->value("target", "") != target) {
      return make_error(request.id, jsonrpc::kInvalidParams,
                        opened ? "requestState belongs to another request; retry without it"
                               : opened.error().message);
    }
    if (opened->contains("responses") && (*opened)["responses"].is_object()) {
      round->responses = (*opened)["responses"];
    }
  }
  if (auto responses = params.find("inputResponses"); responses != params.end()) {
    if (!responses->is_object()) {
      return make_error(request.id, jsonrpc::kInvalidParams,
                        "inputResponses must be an object mapping each input request's key to "
                        "the client's result for it");
    }
    for (const auto& [key, value] : responses->items()) {
      if (!value.is_object()) {
        return make_error(request.id, jsonrpc::kInvalidParams,
                          "inputResponses[\"" + key + "\"] must be a result object");
      }
      round->responses[key] = value;
    }
  }
  return round;
}

ToolContext::ClientChannel McpServer::client_channel(
    const std::shared_ptr<Session>& session, const RequestScope& scope,
    const std::shared_ptr<ReplyChannel>& reply, const CancellationToken& token,
    const std::shared_ptr<InputRound>& round) const {
  ToolContext::ClientChannel channel;
  const nlohmann::json capabilities = scope.client_capabilities;
  auto declared = [capabilities](const std::string& capability) {
    return capabilities.is_object() && capabilities.contains(capability) &&
           !capabilities[capability].is_null();
  };
  if (round) {
    // 2026-07-28 and tasks: no requests travel to the client; the handler's questions are collected
    // and returned as an input_required result, and the retry carries the answers.
    channel.request = [round, declared](const std::string& method, const nlohmann::json& params,
                                        const std::string& key) -> Result<nlohmann::json> {
      const std::string capability = capability_for(method);
      std::lock_guard lock(round->mutex);
      if (!capability.empty() && !declared(capability)) {
        round->missing_capabilities[capability] = nlohmann::json::object();
        return Error::make("The client did not declare the '" + capability + "' capability",
                           ToolContext::kMissingCapability);
      }
      const std::string name = key.empty() ? "input-" + std::to_string(++round->asked) : key;
      if (auto answer = round->responses.find(name); answer != round->responses.end()) {
        return *answer;
      }
      round->requests[name] = {{"method", method}, {"params", params}};
      return Error::make("Waiting for the client's answer to " + method,
                         ToolContext::kInputRequired);
    };
  } else {
    const auto timeout = client_request_timeout_;
    channel.request = [session, reply, token, declared, timeout](
                          const std::string& method, const nlohmann::json& params,
                          const std::string&) -> Result<nlohmann::json> {
      const std::string capability = capability_for(method);
      if (!capability.empty() && !declared(capability)) {
        return Error::make("The client did not declare the '" + capability +
                               "' capability, so the server cannot send " + method,
                           ToolContext::kMissingCapability);
      }
      auto waiter = session->begin_client_request();
      reply->notify(jsonrpc::make_request(waiter->id(), method, params));
      std::optional<nlohmann::json> response = waiter->wait(token, timeout);
      session->end_client_request(waiter->id());
      if (!response) {
        // Tell the client to stop asking its user; the answer would be ignored.
        reply->notify(jsonrpc::make_notification(
            "notifications/cancelled",
            {{"requestId", waiter->id()},
             {"reason", token.cancelled() ? "request cancelled" : "timed out"}}));
        return Error::make(token.cancelled() ? "Cancelled while waiting for the client"
                                             : "The client did not answer " + method + " in time",
                           token.cancelled() ? "cancelled" : "timeout");
      }
      if (response->contains("error")) {
        const auto& error = (*response)["error"];
        return Error::make("The client refused " + method + ": " +
                               (error.is_object() ? error.value("message", "") : error.dump()),
                           "client_error");
      }
      return response->value("result", nlohmann::json::object());
    };
  }
  const bool modern = scope.era == mcp::Era::kModern;
  const std::string modern_level = scope.log_level;
  channel.log = [session, reply, token, modern, modern_level](const std::string& level,
                                                              const nlohmann::json& data,
                                                              const std::string& logger) {
    if (token.cancelled()) return;
    // 2025: the session's level, "info" until the client sets one. 2026-07-28: only when the
    // request asked for logs.
    std::string threshold = modern ? modern_level : session->log_level();
    if (!modern && threshold.empty()) threshold = "info";
    if (threshold.empty() || log_rank(level) < log_rank(threshold)) return;
    nlohmann::json params = {{"level", level}, {"data", data}};
    if (!logger.empty()) params["logger"] = logger;
    reply->notify(jsonrpc::make_notification("notifications/message", std::move(params)));
  };
  channel.close_stream = [reply] { reply->close_stream(); };
  return channel;
}

void McpServer::run_on_worker(const std::shared_ptr<Session>& session,
                              const jsonrpc::Request& request, const RequestScope& scope,
                              const std::shared_ptr<ReplyChannel>& reply,
                              const CancellationToken& transport_cancel, Handler handler,
                              const std::optional<LongCallPool::Call>& long_running) {
  std::shared_ptr<InputRound> round;
  if (scope.era == mcp::Era::kModern) {
    const std::string target = request.method == "resources/read"
                                   ? string_param(request.params, "uri")
                                   : string_param(request.params, "name");
    auto opened = open_input_round(request, target);
    if (auto* error = std::get_if<nlohmann::json>(&opened)) {
      reply->respond(*error);
      return;
    }
    round = std::get<std::shared_ptr<InputRound>>(opened);
  }

  CancellationSource source;
  if (!session->begin_request(request.id, source)) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidRequest,
                              "A request with this id is already in progress"));
    return;
  }
  transport_cancel.on_cancel([source] { source.cancel(); });

  std::optional<nlohmann::json> progress_token;
  if (const auto* meta = find_meta(request.params); meta && meta->contains("progressToken")) {
    const auto& token = (*meta)["progressToken"];
    if (token.is_string() || token.is_number_integer()) progress_token = token;
  }

  auto job = [this, session, reply, scope, source, progress_token, round,
              handler = std::move(handler), id = request.id]() {
    const CancellationToken token = source.token();
    if (token.cancelled() || session->ended()) {
      // Cancelled while it waited for a thread (notifications/cancelled, its session ended, its
      // stream closed): nobody wants the result any more, so the handler never starts.
      session->end_request(id);
      reply->abandon();
      return;
    }
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
    context.set_client_channel(client_channel(session, scope, reply, token, round));
    Answer answer;
    try {
      answer = handler(context);
    } catch (const std::exception& e) {
      answer = Answer{nullptr, error_object(jsonrpc::kInternalError, e.what())};
    }
    session->end_request(id);
    if (answer.answered) return;  // continued as a task: the response went out already

    if (round) {
      std::lock_guard lock(round->mutex);
      if (!round->missing_capabilities.empty()) {
        deliver(reply, token,
                make_error(id, mcp::kMissingRequiredClientCapability,
                           "Missing required client capability: declare it in _meta \"" +
                               std::string(mcp::kMetaClientCapabilities) + "\"",
                           {{"requiredCapabilities", round->missing_capabilities}}));
        return;
      }
      if (!round->requests.empty()) {
        nlohmann::json state = {
            {"method", round->method}, {"target", round->target}, {"responses", round->responses}};
        nlohmann::json result = {{"resultType", "input_required"},
                                 {"inputRequests", round->requests},
                                 {"requestState", sealer_.seal(state)}};
        deliver(reply, token, make_result(id, std::move(result)));
        return;
      }
    }
    if (answer.error) {
      nlohmann::json response = {{"jsonrpc", "2.0"}, {"id", id}, {"error", *answer.error}};
      deliver(reply, token, response);
      return;
    }
    deliver(reply, token,
            make_result(id, finish_result(scope, std::move(answer.result), answer.cache)));
  };
  if (!long_running) {
    if (!workers_.try_submit(std::move(job))) {
      session->end_request(request.id);
      reply->respond(make_result(
          request.id,
          finish_result(
              scope,
              ToolResult::error("The server is busy: " + std::to_string(workers_.max_queued()) +
                                " calls are already waiting. Nothing was done; retry "
                                "in a moment.")
                  .to_json(),
              CacheScope::kNone)));
    }
    return;
  }
  if (auto refused = long_calls_->try_run(*long_running, source, std::move(job))) {
    session->end_request(request.id);
    reply->respond(make_result(
        request.id,
        finish_result(scope, ToolResult::error(*refused).to_json(), CacheScope::kNone)));
  }
}

}  // namespace benchtop
