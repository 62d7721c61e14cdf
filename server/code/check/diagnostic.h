// One finding of a syntax or lint checker, as code_check reports it, and the helpers every
// checker's output parser shares. The parsers read output that project content shaped (file
// names, messages), so they never throw on it: what they cannot read is left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop::code_check {

enum class Severity { kError, kWarning, kInfo };

std::string_view severity_name(Severity severity);

struct Diagnostic {
  std::string file;     // as the checker named it; made workspace-relative by relative_file()
  uint64_t line = 0;    // 0: the checker named no line
  uint64_t column = 0;  // 0: the checker named no column
  Severity severity = Severity::kError;
  std::string message;
  std::string tool;
};

// The checker's name for a file made relative to the workspace root: "/workspace/a/b.py",
// "./a/b.py" and "a/b.py" all become "a/b.py". `host_root` is the workspace's directory on the
// host, for checkers that print real paths.
std::string relative_file(std::string_view file, std::string_view host_root);

// `text` split at newlines, each line without its "\r".
std::vector<std::string_view> split_lines(std::string_view text);

// A line or column number; 0 when `text` is not one.
uint64_t parse_position(std::string_view text);

}  // namespace benchtop::code_check
