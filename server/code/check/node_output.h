// JavaScript and TypeScript checkers' output: `node --check FILE` (one file per run) and
// `tsc --noEmit --pretty false`.
#pragma once

#include <string_view>
#include <vector>

#include "server/code/check/diagnostic.h"

namespace benchtop::code_check {

// node's report of a syntax error: "FILE:LINE", the source line, a caret line under the fault,
// a blank line, then "SyntaxError: message" and a stack. Reads every such report in `output`
// (the runs of several files, one after another).
std::vector<Diagnostic> parse_node_check_output(std::string_view output);

// tsc's plain diagnostics: "FILE(LINE,COLUMN): error TS1005: message".
std::vector<Diagnostic> parse_tsc_output(std::string_view output);

}  // namespace benchtop::code_check
