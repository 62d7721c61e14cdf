// The MCP protocol engine, independent of any transport: version negotiation for both eras,
// capability advertisement, dispatch of requests (quick tool calls on the worker pool, long-running
// ones on the capped LongCallPool), cancellation and progress. Transports hand it parsed messages
// together with a ReplyChannel for the answers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/cancellation.h"
#include "server/mcp/registry/prompt_registry.h"
#include "server/mcp/registry/resource_registry.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/request_state.h"
#include "server/mcp/sessions/session.h"
#include "server/mcp/startup_gate.h"
#include "server/mcp/workers/long_call_pool.h"
#include "server/mcp/workers/worker_pool.h"
#include "transport/json_rpc.h"

namespace benchtop {

// Where the answers to one incoming request go. For stdio every channel writes to the same
// stream; for Streamable HTTP each POST has its own channel (a JSON body or an SSE stream).
class ReplyChannel {
 public:
  virtual ~ReplyChannel() = default;
  // A notification about this request (progress, log message), sent before the response.
  virtual void notify(const nlohmann::json& notification) = 0;
  // The final response. Called exactly once per request unless abandon() is called instead.
  virtual void respond(const nlohmann::json& response) = 0;
  // The request was cancelled: no response follows (MCP forbids answering a cancelled request).
  virtual void abandon() {}
  // The handler asks to end the request's stream early (2025-11-25 SSE polling): later messages
  // are kept for the client to fetch when it reconnects. Channels without streams ignore it.
  virtual void close_stream() {}
};

struct ServerIdentity {
  std::string name = "benchtop";
  std::string title = "benchtop";
  std::string version;
  std::string instructions;
  // Appended to `instructions` in each initialize and server/discover answer, once the server has
  // started (it may name what start-up found, such as the default project's AGENTS.md). May be
  // empty.
  std::function<std::string()> instructions_addendum;
};

// Whether a tool may run as a task (the io.modelcontextprotocol/tasks extension): never (the
// default), when the client negotiated the extension, or only as a task.
// kEscalates: the tool runs as an ordinary call (asking for input with input_required results)
// until its handler calls ToolContext::continue_as_task(); it needs the extension too.
enum class TaskSupport { kForbidden, kOptional, kRequired, kEscalates };

class TaskStore;

class McpServer {
 public:
  McpServer(ServerIdentity identity, const ToolRegistry& tools, WorkerPool& workers);
  // With resources and prompts. The registries must outlive the server.
  McpServer(ServerIdentity identity, const ToolRegistry& tools, const ResourceRegistry& resources,
            const PromptRegistry& prompts, WorkerPool& workers);
  ~McpServer();

  // Requests other than the handshake (initialize, ping, logging/setLevel, server/discover) wait
  // for `gate` before they touch the registries, which are filled while it is closed. If it opens
  // with an error, they are answered with that error. The gate must outlive the server.
  void set_startup_gate(const StartupGate& gate) { startup_gate_ = &gate; }

  // How long a handler waits for the client to answer a server-to-client request (2025
  // revisions) before giving up with an error.
  void set_client_request_timeout(std::chrono::milliseconds timeout) {
    client_request_timeout_ = timeout;
  }

  // Long-running tools (ToolExecution::kLongRunning) run on a pool of their own within these
  // caps; a call beyond one is answered at once with an isError result saying so. Call before
  // serving (the default limits apply until then).
  void set_long_call_limits(LongCallLimits limits);

  // Which project a tool call acts in, for the per-project cap of long-running calls: a
  // canonical key (the same project named by id or by name must give the same key), or "" for a
  // call outside any project. By default, the `project` argument as given.
  using ProjectOfCall =
      std::function<std::string(const std::string& tool, const nlohmann::json& arguments)>;
  void set_project_of_call(ProjectOfCall project_of_call) {
    project_of_call_ = std::move(project_of_call);
  }

  // Handles one incoming message. Requests are answered through `reply` (possibly later, from a
  // worker thread); notifications and responses get no reply. `transport_cancel` is cancelled by
  // the transport when the request's own stream is gone (a closed SSE stream in 2026-07-28).
  void handle(const std::shared_ptr<Session>& session, const jsonrpc::Message& message,
              const std::shared_ptr<ReplyChannel>& reply,
              const CancellationToken& transport_cancel = {});

  // The answer to a message that could not be parsed or classified.
  static nlohmann::json invalid_message_error(const jsonrpc::Invalid& invalid);

  const ToolRegistry& tools() const { return tools_; }
  const ResourceRegistry& resources() const { return resources_; }
  const PromptRegistry& prompts() const { return prompts_; }
  const ServerIdentity& identity() const { return identity_; }
  // The capabilities of the 2025 handshake.
  nlohmann::json capabilities() const;
  // The capabilities of one era: 2026-07-28 delivers resource updates and list changes through
  // subscriptions/listen rather than resources/subscribe.
  nlohmann::json capabilities(bool modern) const;

  // Declares that `tool` runs as a task for clients that negotiated the tasks extension; the
  // server then answers tools/call with a task to poll (tasks/get, tasks/update, tasks/cancel).
  void set_task_support(const std::string& tool, TaskSupport support);

  // Delivers a change to the open subscriptions/listen streams whose filter asks for it:
  // `list` is "tools", "prompts" or "resources".
  void notify_list_changed(std::string_view list);
  void notify_resource_updated(const std::string& uri);
  // Ends every open subscription with its graceful completion result (server shutdown), so the
  // streams carrying them close.
  void close_subscriptions();

  // The 2026-07-28 caching hints a result carries. kPublic: the same for every user (tool lists,
  // templates), so a shared cache may serve it across authorization contexts. kPrivate: user data
  // (project files, the project list), cached only within one authorization context; file contents
  // are marked stale at once (ttlMs 0) since tools change them.
  enum class CacheScope { kNone, kPublic, kPrivate, kPrivateStale };

 private:
  struct RequestScope;  // version, era and client capabilities in effect for one request
  struct InputRound;    // 2026-07-28 input requests asked and answered during one request
  // What a handler produced: a result, or a JSON-RPC error object {code, message, data?}.
  struct Answer {
    nlohmann::json result;
    std::optional<nlohmann::json> error;
    CacheScope cache = CacheScope::kNone;  // 2026-07-28 caching hints on the result
    bool answered = false;  // the response already went out (the call continued as a task)
  };
  using Handler = std::function<Answer(ToolContext& context)>;

  // Runs `handler` on the worker pool with a ToolContext wired to this request: cancellation,
  // progress, logging, and server-to-client requests in the request's era.
  // A long-running tool call (`long_running` set) goes to the long-call pool, or is refused there.
  void run_on_worker(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                     const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                     const CancellationToken& transport_cancel, Handler handler,
                     const std::optional<LongCallPool::Call>& long_running = std::nullopt);
  // Whom a long-running call counts against.
  LongCallPool::Call long_call(const std::shared_ptr<Session>& session, const std::string& tool,
                               const nlohmann::json& arguments) const;
  ToolContext::ClientChannel client_channel(const std::shared_ptr<Session>& session,
                                            const RequestScope& scope,
                                            const std::shared_ptr<ReplyChannel>& reply,
                                            const CancellationToken& token,
                                            const std::shared_ptr<InputRound>& round) const;
  // Reads inputResponses/requestState of a 2026-07-28 retry, or the error response refusing it.
  std::variant<std::shared_ptr<InputRound>, nlohmann::json> open_input_round(
      const jsonrpc::Request& request, const std::string& target) const;

  // The era, version and client capabilities of a request, or the error response refusing it.
  std::variant<RequestScope, nlohmann::json> resolve_scope(const std::shared_ptr<Session>& session,
                                                           const jsonrpc::Request& request) const;
  void handle_request(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                      const std::shared_ptr<ReplyChannel>& reply,
                      const CancellationToken& transport_cancel);
  void handle_notification(const std::shared_ptr<Session>& session,
                           const jsonrpc::Notification& notification);

  nlohmann::json initialize(const std::shared_ptr<Session>& session,
                            const jsonrpc::Request& request);
  nlohmann::json discover(bool modern) const;
  // identity_.instructions and, once started, its addendum.
  std::string instructions() const;
  void call_tool(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                 const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                 const CancellationToken& transport_cancel);
  void read_resource(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                     const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                     const CancellationToken& transport_cancel);
  void get_prompt(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                  const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                  const CancellationToken& transport_cancel);
  nlohmann::json complete(const jsonrpc::Request& request) const;
  void listen(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
              const std::shared_ptr<ReplyChannel>& reply,
              const CancellationToken& transport_cancel);
  struct Subscription;
  // Tasks (server/mcp/mcp_server_tasks.cpp).
  bool start_task(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                  const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                  const std::string& name, const nlohmann::json& arguments);
  // For kEscalates tools: the continue_as_task hook of one call, and what to do with its result.
  struct Escalation;
  std::shared_ptr<Escalation> prepare_escalation(const jsonrpc::Request& request,
                                                 const RequestScope& scope,
                                                 const std::shared_ptr<ReplyChannel>& reply,
                                                 const std::string& name);
  std::function<bool()> escalation_hook(const std::shared_ptr<Escalation>& escalation);
  static bool escalated(Escalation& escalation);
  Answer finish_escalation(Escalation& escalation, std::optional<ToolResult> result);
  void handle_task_method(const jsonrpc::Request& request, const RequestScope& scope,
                          const std::shared_ptr<ReplyChannel>& reply);
  void publish(const std::function<bool(const nlohmann::json& filter)>& wants,
               const std::string& method, const nlohmann::json& params);

  nlohmann::json finish_result(const RequestScope& scope, nlohmann::json result,
                               CacheScope cache) const;

  ServerIdentity identity_;
  std::unique_ptr<ResourceRegistry> own_resources_;  // empty ones, for the tools-only constructor
  std::unique_ptr<PromptRegistry> own_prompts_;
  const ToolRegistry& tools_;
  const ResourceRegistry& resources_;
  const PromptRegistry& prompts_;
  WorkerPool& workers_;
  RequestStateSealer sealer_;
  std::map<std::string, TaskSupport> task_support_;
  std::unique_ptr<TaskStore> task_store_;
  // Tasks still running on the worker pool; the destructor cancels them and waits.
  std::mutex tasks_mutex_;
  std::condition_variable tasks_idle_;
  size_t running_tasks_ = 0;
  std::mutex subscriptions_mutex_;
  std::vector<std::shared_ptr<Subscription>> subscriptions_;
  std::chrono::milliseconds client_request_timeout_{std::chrono::minutes(10)};
  const StartupGate* startup_gate_ = nullptr;

  // Resource subscriptions: 2025 sessions that subscribed to something (under
  // subscriptions_mutex_), and the URIs whose changes are watched (each once).
  void watch_resource(const std::string& uri);
  std::vector<std::weak_ptr<Session>> legacy_subscribers_;
  // Every initialized 2025 session (under subscriptions_mutex_): list changes reach them all.
  std::vector<std::weak_ptr<Session>> legacy_sessions_;
  std::mutex watched_mutex_;
  std::set<std::string> watched_uris_;
  // What watch callbacks reach this server through; the destructor clears it.
  struct Self {
    explicit Self(McpServer* s) : server(s) {}
    std::mutex mutex;
    McpServer* server;
  };
  std::shared_ptr<Self> self_ = std::make_shared<Self>(this);

  ProjectOfCall project_of_call_;
  // Last, so that it is destroyed first: its destructor cancels the calls still running and
  // waits for them, while the members they use still exist.
  std::unique_ptr<LongCallPool> long_calls_ = std::make_unique<LongCallPool>(LongCallLimits{});
};

}  // namespace benchtop
