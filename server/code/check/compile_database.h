// What a project's compile_commands.json says about each C/C++ file, kept to the flags that only
// change what a syntax check sees: include directories (-I, -isystem, -iquote), macros (-D, -U)
// and the language standard (-std=). Every other flag is dropped, above all those that load or
// run something (-fplugin=, -B, -wrapper, -specs=, @file): the database is project content.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop::code_check {

class CompileDatabase {
 public:
  // Reads `text` (a JSON array of {directory, file, arguments | command}). Paths under
  // `host_root` (the workspace on the host) or /workspace (the same, seen from its sandbox)
  // become "./relative" arguments; entries for files outside the workspace are left out, and so
  // is text that is not such an array.
  static CompileDatabase parse(std::string_view text, std::string_view host_root);

  // The shell-quoted flags for a workspace-relative file, or std::nullopt when it has no entry.
  std::optional<std::vector<std::string>> flags_for(const std::string& relative) const;
  size_t size() const { return flags_.size(); }

 private:
  std::map<std::string, std::vector<std::string>> flags_;
};

}  // namespace benchtop::code_check
