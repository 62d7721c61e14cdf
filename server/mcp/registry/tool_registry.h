// The set of tools a server exposes. Definitions are checked when added, their schemas compiled on
// first use (compile_all() checks them all at once); arguments are validated against the input
// schema before the handler runs; the handler runs without any registry lock held, so tools may run
// concurrently and re-enter.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "server/mcp/registry/tool.h"
#include "server/mcp/registry/tool_selection.h"
#include "server/mcp/schema/json_schema.h"

namespace benchtop {

class ToolRegistry {
 public:
  ToolRegistry();
  ~ToolRegistry();
  ToolRegistry(const ToolRegistry&) = delete;
  ToolRegistry& operator=(const ToolRegistry&) = delete;

  // Throws std::invalid_argument on a duplicate name or an invalid definition.
  void add(Tool tool);

  // While one lives, tools added without a toolset get `toolset`.
  class ToolsetScope {
   public:
    ToolsetScope(ToolRegistry& registry, std::string toolset);
    ~ToolsetScope();
    ToolsetScope(const ToolsetScope&) = delete;
    ToolsetScope& operator=(const ToolsetScope&) = delete;

   private:
    ToolRegistry& registry_;
    std::string previous_;
  };

  // Keeps only the tools `selection` admits; for a single project, also removes the `project`
  // argument from every input schema. Fails, changing nothing, when the selection names a toolset
  // or tool that does not exist (the message lists those that do). Call before serving.
  Status select(const ToolSelection& selection);
  // Tools `hidden` says yes to are left out of every list and unknown to calls, for as long as it
  // says so (the exec kill switch hides the tools that run commands). Set before serving; it is
  // called concurrently.
  void set_hidden(std::function<bool(const Tool&)> hidden) { hidden_ = std::move(hidden); }
  // Compiles every schema not yet compiled; the error names each tool whose schema is invalid.
  Status compile_all() const;

  // The tools/list entries in a deterministic (name) order.
  nlohmann::json list() const;
  // The same, only of the tools offered to the built-in agent (Tool::builtin_agent).
  nlohmann::json list_for_builtin_agent() const;
  bool offered_to_builtin_agent(const std::string& name) const;
  bool contains(const std::string& name) const;
  // The tool's execution class (kQuick for an unknown name).
  ToolExecution execution(const std::string& name) const;
  size_t size() const { return tools_.size(); }
  // The toolsets of the tools there are.
  std::set<std::string> toolsets() const;

  // Runs a tool: validates arguments, calls the handler (catching any exception into an isError
  // result), and checks structured output against the output schema. Returns std::nullopt when
  // no tool has that name (a protocol error for the caller to report).
  std::optional<ToolResult> call(const std::string& name, const nlohmann::json& arguments,
                                 ToolContext& context) const;

  // Rewrites the text of every error result before it leaves the registry, given the call's
  // arguments (the server uses it to replace host paths with the paths a project sees). Set it
  // before any tool is called.
  using ErrorTextFilter =
      std::function<std::string(const nlohmann::json& arguments, std::string text)>;
  void set_error_filter(ErrorTextFilter filter) { error_filter_ = std::move(filter); }

  // Runs around every handler once its arguments are valid: it must call `run` (at most once) and
  // return its result, and may do work before and after (checkpoints of what a call changed).
  // Set it before any tool is called.
  using CallWrapper = std::function<ToolResult(const Tool& tool, const nlohmann::json& arguments,
                                               const std::function<ToolResult()>& run)>;
  void set_call_wrapper(CallWrapper wrapper) { call_wrapper_ = std::move(wrapper); }

  // The input schema of a tool, used by transports that mirror x-mcp-header parameters.
  const nlohmann::json* input_schema(const std::string& name) const;

 private:
  struct Entry;
  nlohmann::json list_where(bool builtin_agent_only) const;
  // The entry of a tool that exists and is not hidden, or nullptr.
  Entry* visible(const std::string& name) const;
  ToolResult run(Entry& entry, const std::string& name, const nlohmann::json& arguments,
                 ToolContext& context) const;
  std::map<std::string, std::unique_ptr<Entry>> tools_;
  ErrorTextFilter error_filter_;
  CallWrapper call_wrapper_;
  std::function<bool(const Tool&)> hidden_;
  std::string current_toolset_;  // set by ToolsetScope
};

}  // namespace benchtop
