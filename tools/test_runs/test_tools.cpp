#include "tools/test_runs/test_tools.h"

#include <set>
#include <string>

#include "server/test_runs/test_runner.h"
#include "tools/common/output_budget.h"
#include "tools/common/workspace_args.h"
#include "tools/exec/command_properties.h"

namespace benchtop {
namespace {

using nlohmann::json;
using test_runs::TestReport;

json string_property(const std::string& description) {
  return {{"type", "string"}, {"description", description}};
}
json integer_property(const std::string& description) {
  return {{"type", "integer"}, {"description", description}};
}

json failure_schema() {
  return {{"type", "object"},
          {"properties",
           {{"name", string_property("Test name (suite::test).")},
            {"message", string_property("Assertion or error message.")},
            {"file", string_property("Source file, relative to the project root; may be empty.")},
            {"line", integer_property("Line in file, when known.")},
            {"kind", string_property("failure or error.")}}},
          {"required", {"name", "message", "file", "kind"}},
          {"additionalProperties", false}};
}

json report_properties() {
  return {{"id", integer_property("History id of this run.")},
          {"started_at", string_property("When the run was recorded (ISO 8601 UTC).")},
          {"runner", string_property("pytest, node, npm, go, cargo, ctest, make or custom.")},
          {"detection", string_property("Why this runner was chosen.")},
          {"source", string_property("junit, go-json or summary: where the counts came from.")},
          {"command", string_property("The shell command that ran.")},
          {"exit_code", integer_property("Exit code; absent when killed.")},
          {"timed_out", {{"type", "boolean"}, {"description", "True when the timeout hit."}}},
          {"passed", integer_property("Passed tests.")},
          {"failed", integer_property("Failed tests.")},
          {"skipped", integer_property("Skipped tests.")},
          {"errors", integer_property("Tests (or the run itself) that errored.")},
          {"duration_ms", integer_property("Wall time of the run.")},
          {"failures",
           {{"type", "array"}, {"items", failure_schema()}, {"description", "Each failure."}}},
          {"output_tail", string_property("Last 4000 bytes of the combined output.")}};
}

// The text of a run within the server's output budget. The counts and the failures come first:
// they are what a model acts on, so they are kept (a list too long for the budget keeps its head
// and tail; every failure stays in structuredContent); the output tail gets what is left, its
// last bytes kept.
std::string render(const TestReport& report) {
  const auto& c = report.counts;
  std::string text = report.runner + ": " + std::to_string(c.passed) + " passed, " +
                     std::to_string(c.failed) + " failed, " + std::to_string(c.skipped) +
                     " skipped, " + std::to_string(c.errors) + " errors in " +
                     std::to_string(report.duration_ms) + " ms";
  if (!report.detection.empty()) text += " (chosen: " + report.detection + ")";
  std::string failures;
  for (const auto& failure : c.failures) {
    failures += "\n- " + failure.name;
    if (!failure.file.empty()) {
      failures +=
          " (" + failure.file + (failure.line ? ":" + std::to_string(*failure.line) : "") + ")";
    }
    if (!failure.message.empty()) failures += ": " + failure.message.substr(0, 300);
  }
  const size_t room = kDefaultOutputBudget > text.size() ? kDefaultOutputBudget - text.size() : 0;
  text += head_and_tail(failures, room,
                        std::to_string(c.failures.size()) +
                            " failures in all, each in structuredContent's `failures`; run "
                            "fewer with `paths`")
              .text;
  if (!(c.failed || c.errors)) return text;
  text += "\n--- output tail ---\n";
  std::string_view tail = report.output_tail;
  const size_t left = kDefaultOutputBudget > text.size() ? kDefaultOutputBudget - text.size() : 0;
  if (tail.size() > left) {
    const size_t newline = tail.find('\n', tail.size() - left);
    const size_t start = newline == std::string_view::npos ? tail.size() : newline + 1;
    text +=
        "[... " + std::to_string(start) +
        " bytes of the output tail left out: structuredContent's output_tail has it whole ...]\n";
    tail.remove_prefix(start);
  }
  text += tail;
  return text;
}

Tool test_run_tool(WorkspaceProvider& workspaces, CommandRunner& runner,
                   test_runs::TestRunStore& store) {
  Tool tool;
  tool.name = "test_run";
  tool.runs_commands = true;
  tool.title = "Run tests";
  tool.description =
      "Run the project's tests (runner detected, or `command`): counts, and each failure with file "
      "and line.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"command", command_property("Command instead of the detected runner.", 10000)},
        {"timeout_ms",
         {{"type", "integer"},
          {"minimum", 1000},
          {"maximum", 3600000},
          {"default", 600000},
          {"description", "Timeout (ms)."}}},
        {"paths",
         {{"type", "array"},
          {"items", {{"type", "string"}, {"minLength", 1}}},
          {"maxItems", 100},
          {"description", "Test files or directories to run."}}}}},
      {"additionalProperties", false}};
  tool.output_schema = {{"type", "object"},
                        {"properties", report_properties()},
                        {"required",
                         {"runner", "command", "passed", "failed", "skipped", "errors",
                          "duration_ms", "failures", "output_tail", "timed_out"}},
                        {"additionalProperties", false}};
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = false};
  tool.execution = ToolExecution::kLongRunning;  // a test suite may run for minutes
  tool.handler = [&workspaces, &runner, &store](const json& arguments, ToolContext& context) {
    auto workspace = workspace_for(workspaces, arguments);
    if (!workspace) return ToolResult::from_error(workspace.error());
    test_runs::TestRunRequest request;
    request.command = optional_string(arguments, "command");
    request.timeout = std::chrono::milliseconds(arguments.value("timeout_ms", 600000));
    if (auto paths = arguments.find("paths"); paths != arguments.end() && paths->is_array()) {
      for (const auto& path : *paths) {
        if (path.is_string()) request.paths.push_back(path);
      }
    }
    const auto project = optional_string(arguments, "project");
    auto report =
        test_runs::run_tests(**workspace, runner, project, request, context.cancellation());
    if (!report) return ToolResult::from_error(report.error());
    if (report->cancelled) return ToolResult::error("The test run was cancelled.");
    auto stored = store.record(project, std::move(report).value());
    if (!stored) return ToolResult::from_error(stored.error());
    json structured = test_runs::to_json(*stored);
    return ToolResult::success(std::move(structured), render(*stored));
  };
  return tool;
}

std::set<std::string> failing_names(const TestReport& report) {
  std::set<std::string> names;
  for (const auto& failure : report.counts.failures) names.insert(failure.name);
  return names;
}

Tool test_history_tool(WorkspaceProvider& workspaces, test_runs::TestRunStore& store) {
  Tool tool;
  tool.name = "test_history";
  tool.title = "Test history";
  tool.description = "Recent test_run results, and which tests started failing or were fixed.";
  json run_properties = report_properties();
  tool.input_schema = {{"type", "object"},
                       {"properties",
                        {{"project", project_property()},
                         {"limit",
                          {{"type", "integer"},
                           {"minimum", 1},
                           {"maximum", 100},
                           {"default", 10},
                           {"description", "How many runs."}}}}},
                       {"additionalProperties", false}};
  tool.output_schema = {
      {"type", "object"},
      {"properties",
       {{"runs",
         {{"type", "array"},
          {"description", "Runs, newest first."},
          {"items",
           {{"type", "object"}, {"properties", run_properties}, {"additionalProperties", false}}}}},
        {"newly_failing",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description", "Failing in the latest run but not in the one before."}}},
        {"fixed",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description", "Failing in the run before the latest, passing now."}}}}},
      {"required", {"runs", "newly_failing", "fixed"}},
      {"additionalProperties", false}};
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [&workspaces, &store](const json& arguments, ToolContext&) {
    auto workspace = workspace_for(workspaces, arguments);
    if (!workspace) return ToolResult::from_error(workspace.error());
    auto runs = store.history(optional_string(arguments, "project"), arguments.value("limit", 10));
    if (!runs) return ToolResult::from_error(runs.error());
    json structured = {
        {"runs", json::array()}, {"newly_failing", json::array()}, {"fixed", json::array()}};
    std::string text;
    for (const auto& run : *runs) {
      structured["runs"].push_back(test_runs::to_json(run));
      text += "#" + std::to_string(run.id) + " " + run.started_at + " " + run.runner + ": " +
              std::to_string(run.counts.passed) + " passed, " + std::to_string(run.counts.failed) +
              " failed, " + std::to_string(run.counts.errors) + " errors\n";
    }
    if (runs->size() >= 2) {
      const auto latest = failing_names((*runs)[0]);
      const auto previous = failing_names((*runs)[1]);
      for (const auto& name : latest) {
        if (!previous.count(name)) structured["newly_failing"].push_back(name);
      }
      for (const auto& name : previous) {
        if (!latest.count(name)) structured["fixed"].push_back(name);
      }
      text += "Since the previous run: " + std::to_string(structured["newly_failing"].size()) +
              " newly failing, " + std::to_string(structured["fixed"].size()) + " fixed.";
    }
    if (runs->empty()) text = "No test runs yet. Call test_run.";
    return ToolResult::success(std::move(structured), text);
  };
  return tool;
}

}  // namespace

void register_test_tools(ToolRegistry& registry, WorkspaceProvider& workspaces,
                         CommandRunner& runner, test_runs::TestRunStore& store) {
  registry.add(test_run_tool(workspaces, runner, store));
  registry.add(test_history_tool(workspaces, store));
}

}  // namespace benchtop
