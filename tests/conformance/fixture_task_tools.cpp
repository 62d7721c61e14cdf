// Tools of the tasks extension scenarios (SEP-2663): sync-only, task-capable and task-only tools.
#include <chrono>
#include <string>
#include <thread>

#include "fixture.h"

namespace benchtop::conformance {
namespace {

using nlohmann::json;

Tool make_tool(std::string name, std::string description, json properties, ToolHandler handler) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = tool.name;
  tool.description = std::move(description);
  tool.input_schema = {{"type", "object"}, {"properties", std::move(properties)}};
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = std::move(handler);
  return tool;
}

// Waits `duration` unless the call is cancelled first.
void pause(const ToolContext& context, std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!context.cancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

json confirm_schema() {
  return {{"type", "object"},
          {"properties", {{"confirm", {{"type", "boolean"}}}}},
          {"required", {"confirm"}}};
}

}  // namespace

void register_fixture_task_tools(ToolRegistry& tools, McpServer& server) {
  tools.add(make_tool("greet", "Greets by name (never a task).", {{"name", {{"type", "string"}}}},
                      [](const json& arguments, ToolContext&) {
                        return ToolResult::text("Hello, " + arguments.value("name", "World") + "!");
                      }));
  tools.add(make_tool(
      "slow_compute", "Sleeps `seconds`, then answers; a task for clients that support tasks.",
      {{"seconds", {{"type", "number"}}}, {"label", {{"type", "string"}}}},
      [](const json& arguments, ToolContext& context) {
        const double seconds = arguments.value("seconds", 0.0);
        pause(context, std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
        if (context.cancelled()) return ToolResult::error("cancelled");
        return ToolResult::text("computed " + arguments.value("label", std::string()));
      }));
  tools.add(make_tool("failing_job", "Fails after a second (only as a task).", json::object(),
                      [](const json&, ToolContext& context) {
                        pause(context, std::chrono::milliseconds(1000));
                        return ToolResult::error("failing_job failed, as it always does");
                      }));
  tools.add(make_tool(
      "protocol_error_job", "Fails at the protocol level.", json::object(),
      [](const json&, ToolContext&) {
        ToolResult result = ToolResult::error("internal failure");
        result.protocol_error = json{{"code", -32603}, {"message", "protocol_error_job broke"}};
        return result;
      }));
  tools.add(make_tool("confirm_delete", "Asks to confirm deleting a file, then reports.",
                      {{"filename", {{"type", "string"}}}},
                      [](const json& arguments, ToolContext& context) {
                        const std::string file = arguments.value("filename", std::string());
                        auto answer = context.elicit("Delete " + file + "?", confirm_schema());
                        if (!answer) return ToolResult::error(answer.error().message);
                        return ToolResult::text("Deleted " + file);
                      }));
  tools.add(make_tool("multi_input", "Asks two questions at once.", json::object(),
                      [](const json&, ToolContext& context) {
                        auto first = context.elicit("First?", confirm_schema(), "first");
                        auto second = context.elicit("Second?", confirm_schema(), "second");
                        if (!first) return ToolResult::error(first.error().message);
                        if (!second) return ToolResult::error(second.error().message);
                        return ToolResult::text("Both answered");
                      }));
  tools.add(make_tool(
      "test_tool_with_task", "Asks for a name (input_required), then greets it as a task.",
      json::object(), [](const json&, ToolContext& context) {
        auto answer = context.elicit(
            "What is your name?",
            {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}}, "user_name");
        if (!answer) return ToolResult::error(answer.error().message);
        // The input is gathered: the rest runs as a task.
        context.continue_as_task();
        pause(context, std::chrono::milliseconds(100));
        return ToolResult::text("Hello, " +
                                answer->value("content", json::object()).value("name", "") + "!");
      }));
  server.set_task_support("slow_compute", TaskSupport::kOptional);
  server.set_task_support("failing_job", TaskSupport::kRequired);
  server.set_task_support("protocol_error_job", TaskSupport::kOptional);
  server.set_task_support("confirm_delete", TaskSupport::kOptional);
  server.set_task_support("multi_input", TaskSupport::kOptional);
  server.set_task_support("test_tool_with_task", TaskSupport::kEscalates);
}

}  // namespace benchtop::conformance
