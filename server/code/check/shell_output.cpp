#include "server/code/check/shell_output.h"

#include <nlohmann/json.hpp>

namespace benchtop::code_check {
namespace {

using nlohmann::json;

Severity shellcheck_severity(const std::string& level) {
  if (level == "error") return Severity::kError;
  if (level == "warning") return Severity::kWarning;
  return Severity::kInfo;  // info and style
}

}  // namespace

std::optional<std::vector<Diagnostic>> parse_shellcheck_json(std::string_view output) {
  const json report = json::parse(output, nullptr, false);
  if (!report.is_object()) return std::nullopt;
  auto comments = report.find("comments");
  if (comments == report.end() || !comments->is_array()) return std::nullopt;
  std::vector<Diagnostic> diagnostics;
  for (const json& comment : *comments) {
    if (!comment.is_object()) continue;
    Diagnostic diagnostic;
    auto file = comment.find("file");
    if (file != comment.end() && file->is_string()) diagnostic.file = file->get<std::string>();
    if (diagnostic.file.empty()) continue;
    auto number = [&comment](const char* key) -> uint64_t {
      auto found = comment.find(key);
      return found != comment.end() && found->is_number_unsigned() ? found->get<uint64_t>() : 0;
    };
    diagnostic.line = number("line");
    diagnostic.column = number("column");
    auto level = comment.find("level");
    diagnostic.severity = shellcheck_severity(
        level != comment.end() && level->is_string() ? level->get<std::string>() : "error");
    auto message = comment.find("message");
    diagnostic.message = message != comment.end() && message->is_string()
                             ? message->get<std::string>()
                             : std::string("(no message)");
    if (const uint64_t code = number("code")) {
      diagnostic.message = "SC" + std::to_string(code) + ": " + diagnostic.message;
    }
    diagnostic.tool = "shellcheck";
    diagnostics.push_back(std::move(diagnostic));
  }
  return diagnostics;
}

std::vector<Diagnostic> parse_bash_syntax_output(std::string_view output) {
  std::vector<Diagnostic> diagnostics;
  constexpr std::string_view kLine = ": line ";
  for (std::string_view text : split_lines(output)) {
    const size_t at = text.find(kLine);
    if (at == std::string_view::npos || at == 0) continue;
    std::string_view rest = text.substr(at + kLine.size());
    const size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) continue;
    const uint64_t line = parse_position(rest.substr(0, colon));
    const std::string_view message = rest.substr(colon + 2);
    if (line == 0 || message.empty() || message.starts_with('`')) continue;
    Diagnostic diagnostic;
    diagnostic.file = std::string(text.substr(0, at));
    diagnostic.line = line;
    diagnostic.severity = Severity::kError;
    diagnostic.message = std::string(message);
    diagnostic.tool = "bash";
    diagnostics.push_back(std::move(diagnostic));
  }
  return diagnostics;
}

}  // namespace benchtop::code_check
