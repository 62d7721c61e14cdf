#include "server/code/check/python_output.h"

#include <nlohmann/json.hpp>

namespace benchtop::code_check {
namespace {

using nlohmann::json;

std::string string_member(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

uint64_t position_member(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_number_unsigned() ? found->get<uint64_t>() : 0;
}

}  // namespace

const std::string_view kPythonCompileScript = R"(import json, sys, warnings
def report(path, line, column, severity, message):
    print(json.dumps({"file": path, "line": line or 0, "column": column or 0,
                      "severity": severity, "message": message}), flush=True)
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            compile(source, path, "exec", dont_inherit=True)
        for warning in caught:
            report(path, warning.lineno, 0, "warning",
                   warning.category.__name__ + ": " + str(warning.message))
    except SyntaxError as error:
        report(path, error.lineno, error.offset, "error",
               type(error).__name__ + ": " + str(error.msg))
    except (ValueError, OSError) as error:
        report(path, 0, 0, "error", type(error).__name__ + ": " + str(error))
)";

std::vector<Diagnostic> parse_python_compile_output(std::string_view output) {
  std::vector<Diagnostic> diagnostics;
  for (std::string_view line : split_lines(output)) {
    if (!line.starts_with('{')) continue;
    const json object = json::parse(line, nullptr, false);
    if (!object.is_object()) continue;
    Diagnostic diagnostic;
    diagnostic.file = string_member(object, "file");
    diagnostic.message = string_member(object, "message");
    if (diagnostic.file.empty() || diagnostic.message.empty()) continue;
    diagnostic.line = position_member(object, "line");
    diagnostic.column = position_member(object, "column");
    diagnostic.severity =
        string_member(object, "severity") == "warning" ? Severity::kWarning : Severity::kError;
    diagnostic.tool = "python3";
    diagnostics.push_back(std::move(diagnostic));
  }
  return diagnostics;
}

std::optional<std::vector<Diagnostic>> parse_ruff_json(std::string_view output) {
  const json findings = json::parse(output, nullptr, false);
  if (!findings.is_array()) return std::nullopt;
  std::vector<Diagnostic> diagnostics;
  for (const json& finding : findings) {
    if (!finding.is_object()) continue;
    Diagnostic diagnostic;
    diagnostic.file = string_member(finding, "filename");
    if (diagnostic.file.empty()) continue;
    if (auto location = finding.find("location");
        location != finding.end() && location->is_object()) {
      diagnostic.line = position_member(*location, "row");
      diagnostic.column = position_member(*location, "column");
    }
    const std::string code = string_member(finding, "code");
    const std::string message = string_member(finding, "message");
    const bool syntax = code.empty() || code == "E999";
    diagnostic.severity = syntax ? Severity::kError : Severity::kWarning;
    diagnostic.message = code.empty() ? message : code + ": " + message;
    diagnostic.tool = "ruff";
    diagnostics.push_back(std::move(diagnostic));
  }
  return diagnostics;
}

}  // namespace benchtop::code_check
