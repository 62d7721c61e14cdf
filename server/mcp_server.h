// The MCP protocol engine, independent of any transport: version negotiation for both eras,
// capability advertisement, dispatch of requests (tool calls on the worker pool), cancellation and
// progress. Transports hand it parsed messages together with a ReplyChannel for the answers.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "common/cancellation.h"
#include "server/session.h"
#include "server/tool_registry.h"
#include "server/worker_pool.h"
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
};

struct ServerIdentity {
  std::string name = "benchtop";
  std::string title = "benchtop";
  std::string version;
  std::string instructions;
};

class McpServer {
 public:
  McpServer(ServerIdentity identity, const ToolRegistry& tools, WorkerPool& workers);

  // Handles one incoming message. Requests are answered through `reply` (possibly later, from a
  // worker thread); notifications and responses get no reply. `transport_cancel` is cancelled by
  // the transport when the request's own stream is gone (a closed SSE stream in 2026-07-28).
  void handle(const std::shared_ptr<Session>& session, const jsonrpc::Message& message,
              const std::shared_ptr<ReplyChannel>& reply,
              const CancellationToken& transport_cancel = {});

  // The answer to a message that could not be parsed or classified.
  static nlohmann::json invalid_message_error(const jsonrpc::Invalid& invalid);

  const ToolRegistry& tools() const { return tools_; }
  const ServerIdentity& identity() const { return identity_; }
  nlohmann::json capabilities() const;

 private:
  struct RequestScope;  // version, era and client capabilities in effect for one request

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
  nlohmann::json discover() const;
  void call_tool(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                 const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                 const CancellationToken& transport_cancel);

  nlohmann::json finish_result(const RequestScope& scope, nlohmann::json result,
                               bool cacheable) const;

  ServerIdentity identity_;
  const ToolRegistry& tools_;
  WorkerPool& workers_;
};

}  // namespace benchtop
