// The built-in agent: a language model that works on one project by calling the server's own
// tools. Each round sends the conversation to the model; the tool calls it asks for run through
// the very same ToolRegistry::call (schema validation, workspace guard) as MCP clients' calls, and
// their results go back to the model, until it answers without tool calls or a limit is reached.
//
// Everything that happens is reported as JSON events (the chat API's stream) and every message
// the conversation gains is handed out as it is produced (so a store can persist it at once).
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/cancellation.h"
#include "server/agent/chat_types.h"
#include "server/agent/llm_client.h"
#include "server/mcp/registry/tool_registry.h"

namespace benchtop {

struct AgentOptions {
  int max_rounds = 25;                       // model turns per run
  std::chrono::seconds time_limit{15 * 60};  // wall clock per run, also ends a stream or tool call
  size_t max_result_chars = 16 * 1024;       // a tool result longer than this is cut for the model
  size_t preview_chars = 2000;               // tool_result events carry at most this much
};

// Events (all JSON objects with "type"):
//   {"type":"text","text"}                               a content delta from the model
//   {"type":"tool_start","id","name","args"}             a tool call is about to run
//   {"type":"tool_result","id","name","is_error","result"}  its result (a preview)
//   {"type":"file_changed","path","action"[,"from"]}     fs_write/fs_edit/fs_delete/fs_move changed
//   a file
//   {"type":"done","usage","stop_reason","rounds"}       the run ended (completed, round_limit,
//   time_limit)
//   {"type":"error","error","stop_reason"}               the run failed or was cancelled
struct AgentCallbacks {
  std::function<void(const nlohmann::json& event)> on_event;
  std::function<void(const ChatMessage& message)> on_message;
};

struct AgentRunRequest {
  std::string project;               // id or name; tools that take `project` get this one
  std::vector<ChatMessage> history;  // earlier user/assistant/tool messages (no system message)
  std::string prompt;                // the new user message
  std::optional<int> max_rounds;     // overrides AgentOptions::max_rounds
  // The project's own notes for agents (its AGENTS.md, as instructions_prompt() words them),
  // appended to the system prompt; empty when it has none.
  std::string project_instructions;
};

struct AgentToolCallSummary {
  std::string name;
  nlohmann::json arguments;
  bool is_error = false;
};

// Why a run ended; to_string gives the word events and results carry ("completed",
// "round_limit", "time_limit", "cancelled", "error").
enum class StopReason { kCompleted, kRoundLimit, kTimeLimit, kCancelled, kError };
std::string to_string(StopReason reason);

struct AgentRunOutcome {
  std::string final_text;  // the last assistant content
  StopReason stop_reason = StopReason::kCompleted;
  std::string error;  // for cancelled / error
  TokenUsage usage;
  int rounds = 0;
  std::vector<AgentToolCallSummary> tool_calls;
};

class AgentLoop {
 public:
  // `tools` and `llm` must outlive the loop.
  AgentLoop(const ToolRegistry& tools, LlmClient& llm, AgentOptions options = {});

  AgentRunOutcome run(const AgentRunRequest& request, const AgentCallbacks& callbacks,
                      const CancellationToken& cancel) const;

  // The Chat Completions "tools" list: every registered tool except those that manage projects
  // (the run is bound to one project) and the agent's own (no recursion).
  nlohmann::json tool_definitions() const;
  std::string system_prompt(const std::string& project,
                            const std::string& project_instructions = "") const;

  const AgentOptions& options() const { return options_; }

 private:
  ChatMessage run_tool(const LlmToolCall& call, const std::string& project,
                       const CancellationToken& cancel, const AgentCallbacks& callbacks,
                       AgentRunOutcome& outcome) const;

  const ToolRegistry& tools_;
  LlmClient& llm_;
  AgentOptions options_;
};

// A stored conversation made acceptable to providers: every assistant tool call gets an answer
// (a run interrupted by a crash leaves calls unanswered, which providers refuse), and tool
// messages that answer no call are dropped.
std::vector<ChatMessage> repair_history(std::vector<ChatMessage> history);

// The text of a tool result as the model gets it: its text items (images noted, not sent), or the
// structured content when there is no text; cut to `limit` characters with a note saying how to
// see the rest.
std::string tool_result_for_model(const ToolResult& result, size_t limit);

// The file_changed events of a call: the file changes its result declares (none for a failed
// call), whatever the tool.
std::vector<nlohmann::json> file_changed_events(const ToolResult& result);

}  // namespace benchtop
