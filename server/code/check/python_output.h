// Python checkers' output: Ruff's JSON report, and the JSON lines of the compile script that
// stands in for it where Ruff is not installed.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "server/code/check/diagnostic.h"

namespace benchtop::code_check {

// The script `python3 -B -I -c` runs over the files named after it: it compiles each one (never
// running it, never writing bytecode, unlike `python -m py_compile`, which writes __pycache__
// into the workspace) and prints one JSON object per syntax error or warning.
extern const std::string_view kPythonCompileScript;

// The compile script's output. A line that is not one of its objects is left out.
std::vector<Diagnostic> parse_python_compile_output(std::string_view output);

// `ruff check --output-format=json`: an array of findings. Syntax errors (no rule code, or
// E999) are errors, rule findings warnings. std::nullopt when the output is not that array (cut
// short by the output limit, or an error message instead).
std::optional<std::vector<Diagnostic>> parse_ruff_json(std::string_view output);

}  // namespace benchtop::code_check
