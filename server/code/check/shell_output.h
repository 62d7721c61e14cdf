// Shell checkers' output: ShellCheck's json1 report, and `bash -n`'s messages where ShellCheck is
// not installed.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "server/code/check/diagnostic.h"

namespace benchtop::code_check {

// `shellcheck -f json1`: {"comments": [...]}, each with file, line, column, level (error,
// warning, info, style) and an SC code. std::nullopt when the output is not that object.
std::optional<std::vector<Diagnostic>> parse_shellcheck_json(std::string_view output);

// `bash -n FILE`: "FILE: line N: message". The line bash adds after a syntax error to quote the
// offending text ("FILE: line N: `text'") is not a diagnostic of its own.
std::vector<Diagnostic> parse_bash_syntax_output(std::string_view output);

}  // namespace benchtop::code_check
