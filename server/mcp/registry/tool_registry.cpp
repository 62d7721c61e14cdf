#include "server/mcp/registry/tool_registry.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

#include "common/log.h"
#include "server/mcp/registry/tool_listing.h"

namespace benchtop {

// Schemas are compiled on first use rather than when the tool is added: with dozens of tools,
// compiling them all was the largest part of start-up, and most sessions call a few tools.
// compile_all() checks every one (`benchtop tools`, the tests).
struct ToolRegistry::Entry {
  Tool tool;
  std::once_flag compile_once;
  std::optional<JsonSchema> input;
  std::optional<JsonSchema> output;
  std::string compile_error;  // set when a schema does not compile

  const std::string& compile() {
    std::call_once(compile_once, [this] {
      auto compiled_input = JsonSchema::compile(tool.input_schema);
      if (!compiled_input) {
        compile_error = "invalid inputSchema: " + compiled_input.error().message;
        return;
      }
      input = std::move(compiled_input).value();
      if (tool.output_schema.is_null()) return;
      auto compiled_output = JsonSchema::compile(tool.output_schema);
      if (!compiled_output) {
        compile_error = "invalid outputSchema: " + compiled_output.error().message;
        return;
      }
      output = std::move(compiled_output).value();
    });
    return compile_error;
  }
};

namespace {

// Tool names: the SEP-986 character set, which is also safe in an Mcp-Name header.
bool valid_tool_name(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ToolRegistry::ToolRegistry() = default;
ToolRegistry::~ToolRegistry() = default;

void ToolRegistry::add(Tool tool) {
  if (!valid_tool_name(tool.name)) {
    throw std::invalid_argument("invalid tool name '" + tool.name + "'");
  }
  if (tools_.count(tool.name)) throw std::invalid_argument("duplicate tool '" + tool.name + "'");
  if (tool.description.empty() || tool.title.empty()) {
    throw std::invalid_argument("tool '" + tool.name + "' needs a title and a description");
  }
  if (!tool.handler) throw std::invalid_argument("tool '" + tool.name + "' has no handler");
  if (!tool.input_schema.is_object() || tool.input_schema.value("type", "") != "object") {
    throw std::invalid_argument("tool '" + tool.name + "': inputSchema must be an object schema");
  }
  if (!tool.output_schema.is_null() && tool.output_schema.value("type", "") != "object") {
    throw std::invalid_argument("tool '" + tool.name + "': outputSchema must be an object schema");
  }
  if (tool.toolset.empty()) tool.toolset = current_toolset_;
  const std::string name = tool.name;
  auto entry = std::make_unique<Entry>();
  entry->tool = std::move(tool);
  tools_.emplace(name, std::move(entry));
}

ToolRegistry::ToolsetScope::ToolsetScope(ToolRegistry& registry, std::string toolset)
    : registry_(registry),
      previous_(std::exchange(registry.current_toolset_, std::move(toolset))) {}

ToolRegistry::ToolsetScope::~ToolsetScope() {
  registry_.current_toolset_ = std::move(previous_);
}

namespace {

std::string joined(const std::set<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// The unknown names of `wanted`, as a sentence naming what exists; empty when all are known.
std::string unknown_names(const std::string& what, const std::set<std::string>& wanted,
                          const std::set<std::string>& known) {
  std::set<std::string> unknown;
  for (const auto& name : wanted) {
    if (!known.count(name)) unknown.insert(name);
  }
  if (unknown.empty()) return "";
  return "no " + what + " named " + joined(unknown) + " (there are: " + joined(known) + ")";
}

}  // namespace

Status ToolRegistry::select(const ToolSelection& selection) {
  const std::set<std::string> toolsets = this->toolsets();
  std::set<std::string> names;
  for (const auto& [name, entry] : tools_) names.insert(name);
  std::string problems;
  for (const std::string& problem :
       {selection.toolsets ? unknown_names("toolset", *selection.toolsets, toolsets) : "",
        unknown_names("tool", selection.tools, names),
        unknown_names("tool", selection.excluded, names)}) {
    if (!problem.empty()) problems += (problems.empty() ? "" : "; ") + problem;
  }
  if (!problems.empty()) return Error::make(problems, "invalid_argument");
  std::erase_if(tools_, [&](const auto& item) { return !selection.admits(item.second->tool); });
  if (selection.single_project) {
    for (auto& [name, entry] : tools_) drop_project_argument(entry->tool.input_schema);
  }
  return {};
}

std::set<std::string> ToolRegistry::toolsets() const {
  std::set<std::string> names;
  for (const auto& [name, entry] : tools_) names.insert(entry->tool.toolset);
  return names;
}

ToolRegistry::Entry* ToolRegistry::visible(const std::string& name) const {
  auto it = tools_.find(name);
  if (it == tools_.end() || (hidden_ && hidden_(it->second->tool))) return nullptr;
  return it->second.get();
}

Status ToolRegistry::compile_all() const {
  std::string problems;
  for (const auto& [name, entry] : tools_) {
    if (const std::string& error = entry->compile(); !error.empty()) {
      problems += (problems.empty() ? "" : "; ") + ("tool '" + name + "': " + error);
    }
  }
  if (!problems.empty()) return Error::make(problems, "invalid_schema");
  return {};
}

nlohmann::json ToolRegistry::list() const {
  return list_where(false);
}

nlohmann::json ToolRegistry::list_for_builtin_agent() const {
  return list_where(true);
}

bool ToolRegistry::offered_to_builtin_agent(const std::string& name) const {
  const Entry* entry = visible(name);
  return entry && entry->tool.builtin_agent;
}

nlohmann::json ToolRegistry::list_where(bool builtin_agent_only) const {
  nlohmann::json tools = nlohmann::json::array();
  for (const auto& [name, entry] : tools_) {
    const Tool& tool = entry->tool;
    if (builtin_agent_only && !tool.builtin_agent) continue;
    if (hidden_ && hidden_(tool)) continue;
    tools.push_back(listed_tool(tool));
  }
  return tools;
}

bool ToolRegistry::contains(const std::string& name) const {
  return visible(name) != nullptr;
}

ToolExecution ToolRegistry::execution(const std::string& name) const {
  const Entry* entry = visible(name);
  return entry ? entry->tool.execution : ToolExecution::kQuick;
}

const nlohmann::json* ToolRegistry::input_schema(const std::string& name) const {
  const Entry* entry = visible(name);
  return entry ? &entry->tool.input_schema : nullptr;
}

std::optional<ToolResult> ToolRegistry::call(const std::string& name,
                                             const nlohmann::json& arguments,
                                             ToolContext& context) const {
  Entry* entry = visible(name);
  if (!entry) return std::nullopt;
  ToolResult result = run(*entry, name, arguments, context);
  if (result.is_error && error_filter_) {
    for (auto& item : result.content) {
      if (item.is_object() && item.contains("text") && item["text"].is_string()) {
        item["text"] = error_filter_(arguments, item["text"].get<std::string>());
      }
    }
  }
  return result;
}

ToolResult ToolRegistry::run(Entry& entry, const std::string& name, const nlohmann::json& arguments,
                             ToolContext& context) const {
  if (const std::string& error = entry.compile(); !error.empty()) {
    log::error("tool " + name + " cannot run: " + error);
    return ToolResult::error("Internal error in " + name + ": its " + error);
  }

  if (auto problem = entry.input->validate(arguments)) {
    return ToolResult::error("Invalid arguments for " + name + ": " + *problem);
  }

  ToolResult result;
  try {
    if (call_wrapper_) {
      result = call_wrapper_(entry.tool, arguments,
                             [&] { return entry.tool.handler(arguments, context); });
    } else {
      result = entry.tool.handler(arguments, context);
    }
  } catch (const std::exception& e) {
    log::error("tool " + name + " threw: " + e.what());
    return ToolResult::error("Internal error in " + name + ": " + e.what());
  } catch (...) {
    log::error("tool " + name + " threw a non-standard exception");
    return ToolResult::error("Internal error in " + name);
  }

  // A tool that declares an output schema promises its structured content matches it; a broken
  // promise is a server bug, reported as such rather than passed on to the client.
  if (!result.is_error && entry.output) {
    if (!result.structured) {
      log::error("tool " + name + " returned no structuredContent despite an outputSchema");
      return ToolResult::error("Internal error in " + name + ": missing structured result");
    }
    if (auto problem = entry.output->validate(*result.structured)) {
      log::error("tool " + name + " returned output that fails its schema: " + *problem);
      return ToolResult::error("Internal error in " + name + ": result failed its output schema");
    }
  }
  return result;
}

}  // namespace benchtop
