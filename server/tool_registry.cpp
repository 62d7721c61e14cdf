#include "server/tool_registry.h"

#include <exception>
#include <stdexcept>

#include "common/log.h"

namespace benchtop {

struct ToolRegistry::Entry {
  Tool tool;
  JsonSchema input;
  std::optional<JsonSchema> output;
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

JsonSchema compile_or_throw(const std::string& tool, const char* which, const nlohmann::json& s) {
  auto compiled = JsonSchema::compile(s);
  if (!compiled) {
    throw std::invalid_argument("tool '" + tool + "': invalid " + which + ": " +
                                compiled.error().message);
  }
  return std::move(compiled).value();
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
  // Compiled before `tool` is moved into the entry: the schema must not be read from a moved-from
  // Tool.
  JsonSchema input = compile_or_throw(tool.name, "inputSchema", tool.input_schema);
  auto entry = std::make_unique<Entry>(Entry{std::move(tool), std::move(input), {}});
  if (!entry->tool.output_schema.is_null()) {
    if (entry->tool.output_schema.value("type", "") != "object") {
      throw std::invalid_argument("tool '" + entry->tool.name +
                                  "': outputSchema must be an object schema");
    }
    entry->output = compile_or_throw(entry->tool.name, "outputSchema", entry->tool.output_schema);
  }
  const std::string name = entry->tool.name;
  tools_.emplace(name, std::move(entry));
}

nlohmann::json ToolRegistry::list() const {
  nlohmann::json tools = nlohmann::json::array();
  for (const auto& [name, entry] : tools_) {
    const Tool& tool = entry->tool;
    nlohmann::json item = {
        {"name", tool.name},
        {"title", tool.title},
        {"description", tool.description},
        {"inputSchema", tool.input_schema},
        {"annotations",
         {{"title", tool.title},
          {"readOnlyHint", tool.annotations.read_only},
          {"destructiveHint", tool.annotations.destructive},
          {"idempotentHint", tool.annotations.idempotent},
          {"openWorldHint", tool.annotations.open_world}}},
    };
    if (!tool.output_schema.is_null()) item["outputSchema"] = tool.output_schema;
    tools.push_back(std::move(item));
  }
  return tools;
}

bool ToolRegistry::contains(const std::string& name) const {
  return tools_.count(name) != 0;
}

const nlohmann::json* ToolRegistry::input_schema(const std::string& name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : &it->second->tool.input_schema;
}

std::optional<ToolResult> ToolRegistry::call(const std::string& name,
                                             const nlohmann::json& arguments,
                                             ToolContext& context) const {
  auto it = tools_.find(name);
  if (it == tools_.end()) return std::nullopt;
  const Entry& entry = *it->second;

  if (auto problem = entry.input.validate(arguments)) {
    return ToolResult::error("Invalid arguments for " + name + ": " + *problem);
  }

  ToolResult result;
  try {
    result = entry.tool.handler(arguments, context);
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
