#include "server/code/check/node_output.h"

#include <cctype>
#include <optional>

namespace benchtop::code_check {
namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "FILE:LINE" on a line of its own, the head of node's report.
std::optional<Diagnostic> report_head(std::string_view line) {
  const size_t colon = line.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  if (!all_digits(line.substr(colon + 1))) return std::nullopt;
  Diagnostic diagnostic;
  diagnostic.file = std::string(line.substr(0, colon));
  diagnostic.line = parse_position(line.substr(colon + 1));
  diagnostic.severity = Severity::kError;
  diagnostic.tool = "node";
  return diagnostic;
}

// "SyntaxError: ..." (or another error class) at the start of a line.
bool is_error_line(std::string_view line) {
  const size_t colon = line.find(": ");
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view name = line.substr(0, colon);
  if (!name.ends_with("Error")) return false;
  for (char c : name) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::vector<Diagnostic> parse_node_check_output(std::string_view output) {
  std::vector<Diagnostic> diagnostics;
  const std::vector<std::string_view> lines = split_lines(output);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto head = report_head(lines[i]);
    if (!head) continue;
    // The excerpt is at most two lines (source and caret), then a blank line and the error.
    for (size_t j = i + 1; j < lines.size() && j <= i + 5; ++j) {
      if (j == i + 2) {
        const size_t caret = lines[j].find('^');
        if (caret != std::string_view::npos &&
            lines[j].find_first_not_of(" \t^~") == std::string_view::npos) {
          head->column = caret + 1;
        }
      }
      if (is_error_line(lines[j])) {
        head->message = std::string(lines[j]);
        diagnostics.push_back(std::move(*head));
        i = j;
        break;
      }
    }
  }
  return diagnostics;
}

std::vector<Diagnostic> parse_tsc_output(std::string_view output) {
  std::vector<Diagnostic> diagnostics;
  for (std::string_view line : split_lines(output)) {
    const size_t close = line.find("): ");
    if (close == std::string_view::npos) continue;
    const size_t open = line.rfind('(', close);
    if (open == std::string_view::npos || open == 0) continue;
    const std::string_view position = line.substr(open + 1, close - open - 1);
    const size_t comma = position.find(',');
    if (comma == std::string_view::npos) continue;
    std::string_view rest = line.substr(close + 3);
    Diagnostic diagnostic;
    if (rest.starts_with("error ")) {
      diagnostic.severity = Severity::kError;
      rest.remove_prefix(6);
    } else if (rest.starts_with("warning ")) {
      diagnostic.severity = Severity::kWarning;
      rest.remove_prefix(8);
    } else {
      continue;
    }
    diagnostic.file = std::string(line.substr(0, open));
    diagnostic.line = parse_position(position.substr(0, comma));
    diagnostic.column = parse_position(position.substr(comma + 1));
    diagnostic.message = std::string(rest);
    diagnostic.tool = "tsc";
    diagnostics.push_back(std::move(diagnostic));
  }
  return diagnostics;
}

}  // namespace benchtop::code_check
