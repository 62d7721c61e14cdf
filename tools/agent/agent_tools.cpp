#include "tools/agent/agent_tools.h"

#include "tools/common/workspace_args.h"

namespace benchtop {
namespace {

using json = nlohmann::json;

std::string summary_text(const AgentRunOutcome& outcome) {
  std::string text =
      outcome.final_text.empty() ? "(the agent gave no final answer)" : outcome.final_text;
  text += "\n\n---\nStopped: " + to_string(outcome.stop_reason);
  if (!outcome.error.empty()) text += " (" + outcome.error + ")";
  text += " after " + std::to_string(outcome.rounds) + " round(s), " +
          std::to_string(outcome.usage.total_tokens) + " tokens.";
  if (!outcome.tool_calls.empty()) {
    text += "\nTool calls:";
    for (const auto& call : outcome.tool_calls) {
      text += "\n- " + call.name + (call.is_error ? " (failed)" : "");
      if (call.arguments.is_object() && call.arguments.contains("path")) {
        text += " " + call.arguments["path"].dump();
      }
    }
  }
  return text;
}

}  // namespace

void register_agent_tools(ToolRegistry& registry, ChatService& chat) {
  Tool tool;
  tool.name = "agent_run";
  tool.builtin_agent = false;
  tool.title = "Run the built-in agent";
  tool.description =
      "Hand a self-contained task to the built-in agent; it works on the project with these tools "
      "and returns its answer.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", {{"type", "string"}, {"minLength", 1}, {"description", "Project id or name."}}},
        {"prompt",
         {{"type", "string"},
          {"minLength", 1},
          {"description", "The task, as you would write it to a colleague."}}},
        {"max_rounds",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", 100},
          {"default", 25},
          {"description", "Most model turns."}}}}},
      {"required", {"project", "prompt"}},
      {"additionalProperties", false},
  };
  tool.output_schema = {
      {"type", "object"},
      {"properties",
       {{"answer", {{"type", "string"}, {"description", "The agent's final answer"}}},
        {"stop_reason",
         {{"type", "string"},
          {"enum", {"completed", "round_limit", "time_limit", "cancelled", "error"}}}},
        {"error", {{"type", "string"}}},
        {"rounds", {{"type", "integer"}}},
        {"usage", {{"type", "object"}}},
        {"tool_calls",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties",
             {{"name", {{"type", "string"}}},
              {"arguments", {{"type", "object"}}},
              {"is_error", {{"type", "boolean"}}}}},
            {"required", {"name", "is_error"}}}}}}}},
      {"required", {"answer", "stop_reason", "rounds", "usage", "tool_calls"}},
  };
  tool.annotations = {
      .read_only = false, .destructive = true, .idempotent = false, .open_world = true};
  tool.execution = ToolExecution::kLongRunning;  // many model turns and tool calls
  tool.handler = [&chat](const json& arguments, ToolContext& context) {
    const std::string project = optional_string(arguments, "project").value_or("");
    const std::string prompt = optional_string(arguments, "prompt").value_or("");
    std::optional<int> max_rounds;
    if (arguments.contains("max_rounds")) max_rounds = arguments["max_rounds"].get<int>();

    double step = 0;
    AgentCallbacks callbacks;
    callbacks.on_event = [&](const json& event) {
      const std::string type = event.value("type", "");
      if (type == "tool_start") {
        context.report_progress(++step, std::nullopt, "calling " + event.value("name", ""));
      } else if (type == "tool_result") {
        context.report_progress(
            ++step, std::nullopt,
            event.value("name", "") + (event.value("is_error", false) ? " failed" : " done"));
      } else if (type == "done" || type == "error") {
        context.report_progress(++step, std::nullopt, "finished");
      }
    };
    auto outcome = chat.run_once(project, prompt, max_rounds, callbacks, context.cancellation());
    if (!outcome) return ToolResult::from_error(outcome.error());

    json calls = json::array();
    for (const auto& call : outcome->tool_calls) {
      json item = {{"name", call.name}, {"is_error", call.is_error}};
      if (call.arguments.is_object()) item["arguments"] = call.arguments;
      calls.push_back(std::move(item));
    }
    json structured = {{"answer", outcome->final_text},
                       {"stop_reason", to_string(outcome->stop_reason)},
                       {"rounds", outcome->rounds},
                       {"usage", outcome->usage.to_json()},
                       {"tool_calls", std::move(calls)}};
    if (!outcome->error.empty()) structured["error"] = outcome->error;
    ToolResult result = ToolResult::success(std::move(structured), summary_text(*outcome));
    // A run that failed outright (the model unreachable) is an error the caller should see as one.
    result.is_error = outcome->stop_reason == StopReason::kError;
    return result;
  };
  registry.add(std::move(tool));
}

}  // namespace benchtop
