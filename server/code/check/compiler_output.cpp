#include "server/code/check/compiler_output.h"

#include <cctype>

namespace benchtop::code_check {
namespace {

struct Kind {
  std::string_view prefix;
  Severity severity;
};
constexpr Kind kKinds[] = {{"fatal error: ", Severity::kError},
                           {"error: ", Severity::kError},
                           {"warning: ", Severity::kWarning},
                           {"note: ", Severity::kInfo}};

// Checking a header on its own is checking it as a main file, which GCC and Clang remark on;
// that says nothing about the header.
bool is_header_noise(std::string_view message) {
  return message.starts_with("#pragma once in main file");
}

// The digits at `text`'s start, up to the next ':' (which must follow them).
std::optional<std::string_view> number_then_colon(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits >= text.size() || text[digits] != ':') return std::nullopt;
  return text.substr(0, digits);
}

std::optional<Diagnostic> parse_line(std::string_view line, std::string_view tool,
                                     std::optional<Severity> unkinded) {
  if (line.starts_with("In file included from") || line.starts_with(" ")) return std::nullopt;
  if (line.starts_with("vet: ")) line.remove_prefix(5);  // go vet's own type-check errors
  // The file name ends at the first ":<digits>:"; a name may hold colons itself.
  for (size_t colon = line.find(':'); colon != std::string_view::npos;
       colon = line.find(':', colon + 1)) {
    if (colon == 0) continue;
    std::string_view rest = line.substr(colon + 1);
    auto line_number = number_then_colon(rest);
    if (!line_number) continue;
    Diagnostic diagnostic;
    diagnostic.file = std::string(line.substr(0, colon));
    diagnostic.line = parse_position(*line_number);
    rest.remove_prefix(line_number->size() + 1);
    if (auto column = number_then_colon(rest)) {
      diagnostic.column = parse_position(*column);
      rest.remove_prefix(column->size() + 1);
    }
    if (!rest.starts_with(' ')) return std::nullopt;
    rest.remove_prefix(1);
    std::optional<Severity> severity = unkinded;
    for (const Kind& kind : kKinds) {
      if (rest.starts_with(kind.prefix)) {
        severity = kind.severity;
        rest.remove_prefix(kind.prefix.size());
        break;
      }
    }
    if (!severity || rest.empty() || is_header_noise(rest)) return std::nullopt;
    diagnostic.severity = *severity;
    diagnostic.message = std::string(rest);
    diagnostic.tool = std::string(tool);
    return diagnostic;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Diagnostic> parse_compiler_output(std::string_view output, std::string_view tool,
                                              std::optional<Severity> unkinded) {
  std::vector<Diagnostic> diagnostics;
  for (std::string_view line : split_lines(output)) {
    if (auto diagnostic = parse_line(line, tool, unkinded)) {
      diagnostics.push_back(std::move(*diagnostic));
    }
  }
  return diagnostics;
}

}  // namespace benchtop::code_check
