#include "server/agent/agent_loop.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/utf8.h"

namespace benchtop {
namespace {

using Clock = std::chrono::steady_clock;

std::string cut(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  return text.substr(0, utf8_floor(text, limit));
}

void emit(const AgentCallbacks& callbacks, const nlohmann::json& event) {
  if (callbacks.on_event) callbacks.on_event(event);
}

void append(const AgentCallbacks& callbacks, std::vector<ChatMessage>& conversation,
            ChatMessage message) {
  if (callbacks.on_message) callbacks.on_message(message);
  conversation.push_back(std::move(message));
}

ChatMessage make_message(ChatRole role, std::string content) {
  ChatMessage message;
  message.role = role;
  message.content = std::move(content);
  return message;
}

ChatMessage tool_message(const LlmToolCall& call, std::string content, bool is_error) {
  ChatMessage message;
  message.role = ChatRole::kTool;
  message.tool_call_id = call.id;
  message.name = call.name;
  message.content = std::move(content);
  message.is_error = is_error;
  return message;
}

}  // namespace

std::vector<ChatMessage> repair_history(std::vector<ChatMessage> history) {
  std::vector<ChatMessage> repaired;
  std::vector<LlmToolCall> pending;  // calls of the last assistant message not yet answered
  auto answer_pending = [&] {
    for (const auto& call : pending) {
      repaired.push_back(
          tool_message(call, "Error: not run: the run was interrupted before this call", true));
    }
    pending.clear();
  };
  for (auto& message : history) {
    if (message.role == ChatRole::kTool) {
      const auto it = std::find_if(pending.begin(), pending.end(), [&](const LlmToolCall& call) {
        return call.id == message.tool_call_id;
      });
      if (it == pending.end()) continue;
      pending.erase(it);
      repaired.push_back(std::move(message));
      continue;
    }
    answer_pending();
    if (message.role == ChatRole::kAssistant) pending = message.tool_calls;
    repaired.push_back(std::move(message));
  }
  answer_pending();
  return repaired;
}

namespace {

// Cancels `source` when `deadline` passes, unless destroyed first (then joins its thread).
class DeadlineWatch {
 public:
  DeadlineWatch(Clock::time_point deadline, CancellationSource source)
      : thread_([this, deadline, source = std::move(source)] {
          std::unique_lock lock(mutex_);
          if (!ended_cv_.wait_until(lock, deadline, [&] { return ended_; })) source.cancel();
        }) {}
  ~DeadlineWatch() {
    {
      std::lock_guard lock(mutex_);
      ended_ = true;
    }
    ended_cv_.notify_all();
    thread_.join();
  }
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable ended_cv_;
  bool ended_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kCompleted:
      return "completed";
    case StopReason::kRoundLimit:
      return "round_limit";
    case StopReason::kTimeLimit:
      return "time_limit";
    case StopReason::kCancelled:
      return "cancelled";
    case StopReason::kError:
      return "error";
  }
  return "error";
}

std::string tool_result_for_model(const ToolResult& result, size_t limit) {
  std::string text;
  for (const auto& item : result.content) {
    const std::string type = item.value("type", "");
    if (type == "text") {
      if (!text.empty()) text += '\n';
      text += item.value("text", "");
    } else if (!type.empty()) {
      if (!text.empty()) text += '\n';
      text += "[" + type + " content omitted: it cannot be shown in this conversation]";
    }
  }
  if (text.empty() && result.structured) text = result.structured->dump();
  if (result.is_error) text = "Error: " + text;
  if (text.size() > limit) {
    const size_t total = text.size();
    text = cut(text, limit);
    text += "\n[result truncated: showing " + std::to_string(text.size()) + " of " +
            std::to_string(total) +
            " characters. Ask for less, e.g. fs_read with offset/limit, a narrower fs_list "
            "path or depth, or a more specific fs_grep pattern.]";
  }
  return text;
}

std::vector<nlohmann::json> file_changed_events(const ToolResult& result) {
  std::vector<nlohmann::json> events;
  if (result.is_error) return events;
  for (const auto& change : result.file_changes) {
    nlohmann::json event = change.to_json();
    event["type"] = "file_changed";
    events.push_back(std::move(event));
  }
  return events;
}

AgentLoop::AgentLoop(const ToolRegistry& tools, LlmClient& llm, AgentOptions options)
    : tools_(tools), llm_(llm), options_(options) {}

nlohmann::json AgentLoop::tool_definitions() const {
  nlohmann::json definitions = nlohmann::json::array();
  for (const auto& tool : tools_.list_for_builtin_agent()) {
    const std::string name = tool.value("name", "");
    std::string description = tool.value("description", "");
    nlohmann::json parameters = tool.value("inputSchema", nlohmann::json::object());
    // A run works in its thread's project, which every call gets (see call_tool): the model
    // is not offered an argument it must not use.
    drop_project_argument(parameters);
    definitions.push_back({{"type", "function"},
                           {"function",
                            {{"name", name},
                             {"description", std::move(description)},
                             {"parameters", std::move(parameters)}}}});
  }
  return definitions;
}

std::string AgentLoop::system_prompt(const std::string& project,
                                     const std::string& project_instructions) const {
  std::string names;
  for (const auto& definition : tool_definitions()) {
    if (!names.empty()) names += ", ";
    names += definition["function"]["name"].get<std::string>();
  }
  return "You are the coding agent built into benchtop. You work on the project '" + project +
         "' by calling tools; every tool acts inside that project's workspace, and paths are "
         "relative to its root.\n"
         "Tools: " +
         names +
         ".\n"
         "Rules:\n"
         "- Stay inside the workspace.\n"
         "- Look before you change: list and read files before editing them; prefer fs_edit for "
         "small changes to existing files.\n"
         "- When a tool returns an error, read the message and fix the cause before retrying; "
         "do not repeat the same failing call.\n"
         "- Keep tool calls focused; large results are truncated.\n"
         "- When the task is done, answer briefly: what you did and what the user should know." +
         project_instructions;
}

AgentRunOutcome AgentLoop::run(const AgentRunRequest& request, const AgentCallbacks& callbacks,
                               const CancellationToken& caller_cancel) const {
  AgentRunOutcome outcome;
  const auto deadline = Clock::now() + options_.time_limit;
  // The run stops on the caller's cancellation or at the deadline, whichever comes first, even
  // in the middle of a model stream or a tool call.
  CancellationSource stop;
  caller_cancel.on_cancel([stop] { stop.cancel(); });
  const DeadlineWatch watch(deadline, stop);
  const CancellationToken cancel = stop.token();
  const int max_rounds = std::max(1, request.max_rounds.value_or(options_.max_rounds));
  const nlohmann::json tools = tool_definitions();

  std::vector<ChatMessage> conversation;
  conversation.push_back(make_message(
      ChatRole::kSystem, system_prompt(request.project, request.project_instructions)));
  for (auto& message : repair_history(request.history)) conversation.push_back(std::move(message));
  append(callbacks, conversation, make_message(ChatRole::kUser, request.prompt));

  auto finish_error = [&](StopReason reason, std::string message) {
    outcome.stop_reason = reason;
    outcome.error = std::move(message);
    emit(callbacks, {{"type", "error"},
                     {"error", outcome.error},
                     {"stop_reason", to_string(outcome.stop_reason)},
                     {"usage", outcome.usage.to_json()}});
    return outcome;
  };

  auto finish_stopped = [&] {
    if (caller_cancel.cancelled())
      return finish_error(StopReason::kCancelled, "the run was cancelled");
    return finish_error(StopReason::kTimeLimit, "the run reached its time limit of " +
                                                    std::to_string(options_.time_limit.count()) +
                                                    " seconds; send another message to continue");
  };

  for (int round = 1;; ++round) {
    if (cancel.cancelled() || Clock::now() >= deadline) return finish_stopped();
    if (round > max_rounds) {
      outcome.stop_reason = StopReason::kRoundLimit;
      emit(callbacks, {{"type", "done"},
                       {"usage", outcome.usage.to_json()},
                       {"stop_reason", to_string(outcome.stop_reason)},
                       {"rounds", outcome.rounds},
                       {"message", "stopped after " + std::to_string(max_rounds) +
                                       " rounds; send another message to continue"}});
      return outcome;
    }
    outcome.rounds = round;

    auto completion = llm_.complete(
        conversation, tools,
        [&](const std::string& delta) {
          emit(callbacks, {{"type", "text"}, {"text", delta}});
        },
        cancel);
    if (!completion) {
      if (completion.error().code == "cancelled" || cancel.cancelled()) return finish_stopped();
      return finish_error(StopReason::kError, completion.error().message);
    }
    outcome.usage += completion->usage;

    ChatMessage assistant;
    assistant.role = ChatRole::kAssistant;
    assistant.content = completion->content;
    assistant.tool_calls = completion->tool_calls;
    assistant.usage = completion->usage;
    if (!assistant.content.empty()) outcome.final_text = assistant.content;
    append(callbacks, conversation, assistant);

    if (completion->tool_calls.empty()) {
      outcome.stop_reason = StopReason::kCompleted;
      emit(callbacks, {{"type", "done"},
                       {"usage", outcome.usage.to_json()},
                       {"stop_reason", to_string(outcome.stop_reason)},
                       {"rounds", outcome.rounds}});
      return outcome;
    }

    for (size_t i = 0; i < completion->tool_calls.size(); ++i) {
      const auto& call = completion->tool_calls[i];
      if (cancel.cancelled() || Clock::now() >= deadline) {
        // Every call the assistant made needs an answer, or providers refuse the history.
        append(callbacks, conversation,
               tool_message(call, "Error: not run: the run was stopped before this call", true));
        continue;
      }
      append(callbacks, conversation, run_tool(call, request.project, cancel, callbacks, outcome));
    }
  }
}

ChatMessage AgentLoop::run_tool(const LlmToolCall& call, const std::string& project,
                                const CancellationToken& cancel, const AgentCallbacks& callbacks,
                                AgentRunOutcome& outcome) const {
  nlohmann::json args = call.arguments.empty()
                            ? nlohmann::json::object()
                            : nlohmann::json::parse(call.arguments, nullptr, false);
  emit(callbacks, {{"type", "tool_start"},
                   {"id", call.id},
                   {"name", call.name},
                   {"args", args.is_discarded() ? nlohmann::json(call.arguments) : args}});

  auto refuse = [&](const std::string& message) {
    outcome.tool_calls.push_back({call.name, args.is_discarded() ? nlohmann::json() : args, true});
    emit(callbacks, {{"type", "tool_result"},
                     {"id", call.id},
                     {"name", call.name},
                     {"is_error", true},
                     {"result", message}});
    return tool_message(call, "Error: " + message, true);
  };
  if (args.is_discarded() || !args.is_object()) {
    return refuse(
        "the arguments are not a JSON object: send the tool's arguments as a JSON "
        "object matching its schema");
  }
  if (!tools_.offered_to_builtin_agent(call.name)) {
    return refuse("there is no tool named '" + call.name + "'; use one of the tools listed");
  }
  if (const auto* schema = tools_.input_schema(call.name);
      schema && schema->contains("properties") && (*schema)["properties"].contains("project")) {
    if (!args.contains("project")) {
      args["project"] = project;
    } else if (args["project"] != project) {
      return refuse("this conversation works on project '" + project +
                    "' only; leave out `project`");
    }
  }

  ToolContext context(cancel, {}, nlohmann::json::object(), "");
  auto result = tools_.call(call.name, args, context);
  if (!result) return refuse("there is no tool named '" + call.name + "'");

  outcome.tool_calls.push_back({call.name, args, result->is_error});
  const std::string for_model = tool_result_for_model(*result, options_.max_result_chars);
  std::string preview = cut(for_model, options_.preview_chars);
  if (preview.size() < for_model.size()) preview += "…";
  emit(callbacks, {{"type", "tool_result"},
                   {"id", call.id},
                   {"name", call.name},
                   {"is_error", result->is_error},
                   {"result", preview}});
  for (auto& change : file_changed_events(*result)) emit(callbacks, change);
  return tool_message(call, for_model, result->is_error);
}

}  // namespace benchtop
