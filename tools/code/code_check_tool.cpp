#include "tools/code/code_check_tool.h"

#include <boost/describe/class.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "server/code/check/code_checker.h"
#include "server/mcp/schema/type_schema.h"
#include "server/workspace/path_escape.h"
#include "tools/common/output_budget.h"
#include "tools/common/workspace_args.h"

namespace benchtop {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultTimeoutSeconds = 120;
constexpr int64_t kLongestTimeoutSeconds = 3600;  // as long as test_run may run
// The text lists this many diagnostics at most; structuredContent carries the rest that fit.
constexpr size_t kTextDiagnostics = 20;
// Room kept in the budget for everything but the diagnostics (summary, checked, skipped).
constexpr size_t kReserveBytes = 4 * 1024;

struct ShownDiagnostic {
  std::string file;
  uint64_t line = 0;
  uint64_t column = 0;
  std::string severity;
  std::string message;
  std::string tool;
  static constexpr FieldDoc kFieldDocs[] = {{"file", "Relative to the project root."},
                                            {"line", "1-based; 0 when the checker named none."},
                                            {"column", "1-based; 0 when the checker named none."},
                                            {"severity", "error, warning or info."},
                                            {"tool", "The checker that reported it."}};
};
BOOST_DESCRIBE_STRUCT(ShownDiagnostic, (), (file, line, column, severity, message, tool))

struct ShownSkip {
  std::optional<std::string> file;
  std::optional<std::string> language;
  std::optional<std::string> tool;
  std::string reason;
  static constexpr FieldDoc kFieldDocs[] = {
      {"file", "A file left unchecked."},
      {"language", "A language left unchecked."},
      {"tool", "A checker whose run did not finish or could not be read."}};
};
BOOST_DESCRIBE_STRUCT(ShownSkip, (), (file, language, tool, reason))

struct CheckResult {
  std::vector<ShownDiagnostic> diagnostics;
  std::map<std::string, uint64_t> checked;
  std::vector<ShownSkip> skipped;
  bool ok = false;
  uint64_t errors = 0;
  uint64_t warnings = 0;
  uint64_t infos = 0;
  uint64_t omitted = 0;
  bool timed_out = false;
  static constexpr FieldDoc kFieldDocs[] = {
      {"diagnostics", "Errors first, then warnings, then infos; by file and line."},
      {"checked", "Files each checker checked."},
      {"skipped", "What was not checked, and why."},
      {"ok", "No errors, and every checker finished."},
      {"omitted", "Diagnostics left out to fit max_output_bytes; narrow with paths."},
      {"timed_out", "The deadline killed a checker or left files unchecked."}};
};
BOOST_DESCRIBE_STRUCT(CheckResult, (),
                      (diagnostics, checked, skipped, ok, errors, warnings, infos, omitted,
                       timed_out))

json input_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"properties",
           {{"project", project_property()},
            {"paths",
             {{"type", "array"},
              {"items", {{"type", "string"}, {"minLength", 1}}},
              {"maxItems", 100},
              {"description", "Files or directories (default: the whole project)."}}},
            {"timeout_seconds",
             {{"type", "integer"},
              {"minimum", 1},
              {"maximum", kLongestTimeoutSeconds},
              {"default", kDefaultTimeoutSeconds},
              {"description", "Timeout for all checkers together."}}},
            {"max_output_bytes", output_budget_property()}}}};
}

std::string place(const code_check::Diagnostic& diagnostic) {
  std::string text = escape_path(diagnostic.file);
  if (diagnostic.line) text += ':' + std::to_string(diagnostic.line);
  if (diagnostic.line && diagnostic.column) text += ':' + std::to_string(diagnostic.column);
  return text;
}

ShownSkip shown(const code_check::Skip& skip) {
  ShownSkip item;
  if (!skip.file.empty()) item.file = valid_utf8(skip.file);
  if (!skip.language.empty()) item.language = skip.language;
  if (!skip.tool.empty()) item.tool = skip.tool;
  item.reason = valid_utf8(skip.reason);
  return item;
}

std::string skip_subject(const code_check::Skip& skip) {
  return !skip.file.empty() ? skip.file : !skip.language.empty() ? skip.language : skip.tool;
}

std::string render(const CheckResult& result, const code_check::CheckReport& report) {
  std::string text = result.ok ? "ok: " : "problems: ";
  text += std::to_string(result.errors) + " errors, " + std::to_string(result.warnings) +
          " warnings, " + std::to_string(result.infos) + " infos.";
  if (result.checked.empty()) {
    text += " Nothing was checked.";
  } else {
    text += " Checked:";
    for (const auto& [tool, count] : result.checked) {
      text += ' ' + tool + " (" + std::to_string(count) + (count == 1 ? " file)" : " files)");
    }
    text += '.';
  }
  const size_t listed = std::min(kTextDiagnostics, report.diagnostics.size());
  for (size_t i = 0; i < listed; ++i) {
    const code_check::Diagnostic& diagnostic = report.diagnostics[i];
    std::string message = diagnostic.message.substr(0, 200);
    text += "\n" + place(diagnostic) + ": " + std::string(severity_name(diagnostic.severity)) +
            ": " + message + " [" + diagnostic.tool + "]";
  }
  const uint64_t total = result.errors + result.warnings + result.infos;
  if (total > listed) {
    text += "\n… " + std::to_string(total - listed) + " more";
    text += result.omitted
                ? ": structuredContent has the first " + std::to_string(result.diagnostics.size()) +
                      "; narrow with paths to see the rest."
                : " in structuredContent.";
  }
  for (size_t i = 0; i < report.skipped.size() && i < 10; ++i) {
    text += "\nskipped " + skip_subject(report.skipped[i]) + ": " + report.skipped[i].reason;
  }
  if (report.skipped.size() > 10) {
    text += "\n… " + std::to_string(report.skipped.size() - 10) + " more skipped.";
  }
  return valid_utf8(text);
}

CheckResult structure(const code_check::CheckReport& report, size_t budget) {
  CheckResult result;
  for (const auto& [tool, count] : report.checked) result.checked[tool] = count;
  for (const code_check::Skip& skip : report.skipped) result.skipped.push_back(shown(skip));
  result.timed_out = report.timed_out;
  size_t used = kReserveBytes;
  bool full = false;
  result.errors = report.errors;
  result.warnings = report.warnings;
  result.infos = report.infos;
  result.omitted = report.dropped;
  for (const code_check::Diagnostic& diagnostic : report.diagnostics) {
    // Names leave escaped, as every tool shows them: no control character forges a line.
    ShownDiagnostic item{escape_path(diagnostic.file),
                         diagnostic.line,
                         diagnostic.column,
                         std::string(severity_name(diagnostic.severity)),
                         valid_utf8(diagnostic.message.substr(0, 1000)),
                         diagnostic.tool};
    // Each item costs its text plus the JSON around it (keys, quotes, escapes: ~100 bytes).
    const size_t cost = item.file.size() + item.message.size() + item.tool.size() + 100;
    // Once one does not fit, none after it is shown: the list stays in order of severity.
    full = full || used + cost > budget;
    if (full) {
      ++result.omitted;
      continue;
    }
    used += cost;
    result.diagnostics.push_back(std::move(item));
  }
  result.ok = result.errors == 0 && !report.timed_out;
  for (const code_check::Skip& skip : report.skipped) {
    if (!skip.tool.empty()) result.ok = false;  // a checker that did not finish proves nothing
  }
  return result;
}

}  // namespace

Tool code_check_tool(WorkspaceProvider& provider, CommandRunner& runner) {
  Tool tool;
  tool.name = "code_check";
  tool.title = "Check code";
  tool.description =
      "Syntax and lint check in the project's sandbox (Python, JS/TS, shell, C/C++, Go): "
      "diagnostics with file and line.";
  tool.input_schema = input_schema();
  tool.output_schema = schema_of<CheckResult>();
  // Checkers read files and write nothing to the workspace (no bytecode, caches in /tmp).
  tool.annotations = {
      .read_only = true, .destructive = false, .idempotent = true, .open_world = false};
  tool.execution = ToolExecution::kLongRunning;  // a big project's C++ takes a while
  tool.runs_commands = true;
  tool.handler = [&provider, &runner](const json& arguments, ToolContext& context) {
    auto workspace = workspace_for(provider, arguments);
    if (!workspace) return ToolResult::from_error(workspace.error());
    code_check::CheckRequest request;
    if (auto paths = arguments.find("paths"); paths != arguments.end() && paths->is_array()) {
      for (const auto& path : *paths) {
        if (path.is_string()) request.paths.push_back(path.get<std::string>());
      }
    }
    request.timeout = std::chrono::seconds(static_cast<int64_t>(bounded_count(
        arguments, "timeout_seconds", kDefaultTimeoutSeconds, 1, kLongestTimeoutSeconds)));
    auto report = code_check::check_code(**workspace, runner, optional_string(arguments, "project"),
                                         request, context.cancellation());
    if (!report) {
      if (report.error().code == "not_found") {
        return ToolResult::error(report.error().message +
                                 ". Name files or directories that exist, or omit paths to check "
                                 "the whole project.");
      }
      return ToolResult::from_error(report.error());
    }
    if (report->cancelled) return ToolResult::error("code_check was cancelled.");
    const CheckResult result = structure(*report, output_budget(arguments));
    return ToolResult::success(to_structured(result), render(result, *report));
  };
  return tool;
}

}  // namespace benchtop
