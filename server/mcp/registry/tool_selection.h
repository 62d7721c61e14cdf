// Which tools a server offers, as the operator chose them: whole families (--toolsets), only
// read-only tools (--read-only), single tools added or removed by name (--tools,
// --exclude-tools). A tool left out is absent from tools/list and unknown to tools/call: a model
// never spends context on a tool it may not use, nor a turn on calling it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "server/mcp/registry/tool.h"

namespace benchtop {

struct ToolSelection {
  // Families offered; nullopt: every family (unless `tools` is given, see admits()).
  std::optional<std::set<std::string>> toolsets;
  // Tools offered by name, in addition to the families'.
  std::set<std::string> tools;
  std::set<std::string> excluded;
  bool read_only = false;
  // One project only (--root without the project tools): no tool takes a `project` argument.
  bool single_project = false;

  // A tool is offered when its family was chosen or it was named (naming tools without choosing
  // families offers only those), it is not excluded, and it is read-only if only those are wanted.
  bool admits(const Tool& tool) const;
};

// Removes the `project` argument from a tool's input schema (a caller bound to one project).
void drop_project_argument(nlohmann::json& input_schema);

// A comma-separated list of names (`fs,search`), each non-empty and unique; spaces around names
// are allowed. An error names the flag and what is wrong.
Result<std::set<std::string>> parse_name_list(std::string_view flag, std::string_view text);

}  // namespace benchtop
