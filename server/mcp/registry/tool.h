// What a tool is: its definition (name, schemas, annotations), the context a handler runs in, and
// the result it returns. Tool families in tools/ build these; the registry validates and runs them.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"

namespace benchtop {

// The MCP tool annotations. Defaults are the protocol's pessimistic defaults, so a tool that
// forgets to describe itself is treated as dangerous rather than safe.
struct ToolAnnotations {
  bool read_only = false;
  bool destructive = true;
  bool idempotent = false;
  bool open_world = false;
};

// How long a call may hold its thread, declared where the tool is defined. Quick tools (file
// reads and writes, searches, local git) answer within seconds and share the quick pool.
// Long-running tools (commands, test runs, the agent, git over the network, clones) may run for
// minutes or wait on something outside the server; they run on a pool of their own with
// per-project and per-client caps, so however many of them a client starts, a quick call never
// waits behind them.
enum class ToolExecution { kQuick, kLongRunning };

// Everything a handler may use besides its arguments. Owned by the dispatcher for the duration of
// one call; handlers must not keep references to it after returning.
class ToolContext {
 public:
  using ProgressSink =
      std::function<void(double progress, std::optional<double> total, const std::string& message)>;

  ToolContext() = default;
  ToolContext(CancellationToken cancellation, ProgressSink progress,
              nlohmann::json client_capabilities, std::string protocol_version)
      : cancellation_(std::move(cancellation)),
        progress_(std::move(progress)),
        client_capabilities_(std::move(client_capabilities)),
        protocol_version_(std::move(protocol_version)) {}

  bool cancelled() const { return cancellation_.cancelled(); }
  const CancellationToken& cancellation() const { return cancellation_; }

  // Sends notifications/progress when the caller asked for it (a progressToken); otherwise a no-op.
  // `progress` must increase with every call.
  void report_progress(double progress, std::optional<double> total = std::nullopt,
                       const std::string& message = {}) const {
    if (progress_) progress_(progress, total, message);
  }
  bool wants_progress() const { return static_cast<bool>(progress_); }

  const nlohmann::json& client_capabilities() const { return client_capabilities_; }
  const std::string& protocol_version() const { return protocol_version_; }

  // How a handler reaches the client beyond its result; installed by the dispatcher. Each member
  // may be empty (a context built by a test, or a transport that cannot carry it).
  struct ClientChannel {
    // Sends a server-to-client request (sampling/createMessage, elicitation/create, roots/list)
    // and waits for the answer. `key` names the request in a 2026-07-28 input_required result.
    std::function<Result<nlohmann::json>(const std::string& method, const nlohmann::json& params,
                                         const std::string& key)>
        request;
    // Sends notifications/message when the client's log level lets `level` through.
    std::function<void(const std::string& level, const nlohmann::json& data,
                       const std::string& logger)>
        log;
    // Ends the request's SSE stream now (the client reconnects with Last-Event-ID to get the
    // rest); a no-op where the transport has no such stream.
    std::function<void()> close_stream;
    // Answers the call now with a task and lets the handler go on in the background, its result
    // becoming the task's (the tasks extension). Returns false where that is not possible.
    std::function<bool()> continue_as_task;
  };
  void set_client_channel(ClientChannel channel) { channel_ = std::move(channel); }
  void set_continue_as_task(std::function<bool()> hook) {
    channel_.continue_as_task = std::move(hook);
  }

  // Error codes of request_client() and its helpers, for handlers that branch on them.
  static constexpr const char* kInputRequired = "input_required";  // 2026-07-28: asked; retry
  static constexpr const char* kMissingCapability = "missing_client_capability";
  static constexpr const char* kNoClient = "no_client_channel";

  // True when the client declared `capability` (e.g. "elicitation", "sampling", "roots").
  bool client_supports(std::string_view capability) const;

  // A request to the client, answered with the client's result object. Fails when the client
  // did not declare the capability the method needs, when the client answered with an error, on
  // cancellation or timeout. Under 2026-07-28 the first call fails with kInputRequired: the
  // handler returns, the server answers with an input_required result, and the client's retry
  // runs the handler again with the answer available under the same `key`.
  Result<nlohmann::json> request_client(const std::string& method, const nlohmann::json& params,
                                        const std::string& key = {}) const;
  // elicitation/create in form mode; the result is {action, content?}.
  Result<nlohmann::json> elicit(const std::string& message, const nlohmann::json& requested_schema,
                                const std::string& key = {}) const;
  // sampling/createMessage with the given params (messages, maxTokens, ...).
  Result<nlohmann::json> create_message(const nlohmann::json& params,
                                        const std::string& key = {}) const;
  // A log message for the client (RFC 5424 level names: debug, info, notice, warning, error...).
  void log(const std::string& level, const nlohmann::json& data,
           const std::string& logger = {}) const;
  void close_stream() const {
    if (channel_.close_stream) channel_.close_stream();
  }
  // See ClientChannel::continue_as_task; typically called once the client's input is gathered.
  bool continue_as_task() const { return channel_.continue_as_task && channel_.continue_as_task(); }

 private:
  CancellationToken cancellation_;
  ProgressSink progress_;
  ClientChannel channel_;
  nlohmann::json client_capabilities_ = nlohmann::json::object();
  std::string protocol_version_;
};

// A tools/call result. Successful data-returning tools set `structured` (validated against the
// tool's outputSchema) and a text rendering of the same data in `content` for clients that only
// read text.
// A file a call created, changed, deleted or moved, as every caller reads it: in the result's
// `_meta` under kFileChangesMeta, and by the built-in agent for its file_changed events.
struct FileChange {
  enum class Action { kCreated, kModified, kDeleted, kMoved };
  std::string path;  // workspace-relative, as the tool reports it
  Action action = Action::kModified;
  std::string from;  // kMoved only: where the file was

  nlohmann::json to_json() const;
};
std::string_view to_string(FileChange::Action action);

inline constexpr const char* kFileChangesMeta = "benchtop/fileChanges";

struct ToolResult {
  nlohmann::json content = nlohmann::json::array();
  std::optional<nlohmann::json> structured;
  bool is_error = false;
  std::vector<FileChange> file_changes;  // what a successful call changed in the workspace
  // Set when the call failed at the protocol level rather than in the tool's own terms: the
  // caller gets this JSON-RPC error object ({code, message, data?}) instead of a result.
  std::optional<nlohmann::json> protocol_error;

  // A failure the model can act on: the message says what was wrong and what to do instead.
  static ToolResult error(std::string_view message);
  static ToolResult from_error(const Error& error);
  // Structured data plus its human/model-readable rendering.
  static ToolResult success(nlohmann::json structured, std::string text);
  // Text only (tools without an output schema).
  static ToolResult text(std::string text);

  nlohmann::json to_json() const&;
  nlohmann::json to_json() &&;  // moves the content instead of copying it
};

using ToolHandler =
    std::function<ToolResult(const nlohmann::json& arguments, ToolContext& context)>;

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;   // a JSON Schema object with "type": "object"
  nlohmann::json output_schema;  // null when the tool returns no structured data
  // Whether tools/list carries the output schema. A tool whose result has the same shape as
  // another's (its description names that tool) leaves it to that one: the schema still checks
  // every result here, and the model reads the shape once.
  bool output_schema_listed = true;
  ToolAnnotations annotations;
  ToolExecution execution = ToolExecution::kQuick;
  // Whether the built-in agent is offered the tool. Tools that manage projects or run agents
  // themselves say no: a conversation works in its one project.
  bool builtin_agent = true;
  // The family the tool belongs to ("fs", "exec", ...), which operators enable or not as a whole
  // (--toolsets); stamped by ToolsetScope when the registering code leaves it empty.
  std::string toolset;
  // Runs commands (shell_exec, process_start, ...): hidden while command execution is disabled.
  bool runs_commands = false;
  // Which files a call of a tool that is not read-only may change, for its checkpoint: unset,
  // anything in the workspace (a command runs); otherwise the paths the call names, as written.
  std::function<std::vector<std::string>(const nlohmann::json& arguments)> changed_paths;
  // False for a tool that is not read-only yet changes no file (a container's lifecycle, a signal).
  bool changes_files = true;
  ToolHandler handler;
};

}  // namespace benchtop
