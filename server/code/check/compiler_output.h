// Diagnostics in the line format compilers share, `file:line[:column]: kind: message`: GCC and
// Clang with -fsyntax-only, and `go vet`, whose findings have no kind.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "server/code/check/diagnostic.h"

namespace benchtop::code_check {

// Reads every diagnostic line of `output`. A line without a kind ("error:", "fatal error:",
// "warning:", "note:") counts only when `unkinded` says what it is; source excerpts, carets and
// "In file included from" lines are not diagnostics and are left out.
std::vector<Diagnostic> parse_compiler_output(std::string_view output, std::string_view tool,
                                              std::optional<Severity> unkinded = std::nullopt);

}  // namespace benchtop::code_check
