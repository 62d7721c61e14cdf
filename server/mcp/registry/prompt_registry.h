// The prompts a server exposes: named message templates with arguments, a get handler and
// optional completion of argument values. Handlers run without any registry lock held.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/mcp/registry/resource_registry.h"
#include "server/mcp/registry/tool.h"

namespace benchtop {

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

// Builds the GetPromptResult ({messages, description?}) from the arguments given.
using PromptHandler = std::function<Result<nlohmann::json>(
    const std::map<std::string, std::string>& arguments, ToolContext& context)>;

struct Prompt {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  PromptHandler get;
  CompletionProvider complete;  // may be empty
};

class PromptRegistry {
 public:
  PromptRegistry() = default;
  PromptRegistry(const PromptRegistry&) = delete;
  PromptRegistry& operator=(const PromptRegistry&) = delete;

  // Throws std::invalid_argument on a duplicate name or a missing handler.
  void add(Prompt prompt);

  bool empty() const { return prompts_.empty(); }
  bool has_completions() const;
  // prompts/list entries in name order.
  nlohmann::json list() const;
  bool contains(const std::string& name) const { return prompts_.count(name) != 0; }

  // prompts/get: checks that every required argument is present (an error with code
  // "invalid_arguments" otherwise), then runs the handler. Unknown names fail with "not_found".
  Result<nlohmann::json> get(const std::string& name,
                             const std::map<std::string, std::string>& arguments,
                             ToolContext& context) const;

  std::optional<std::vector<std::string>> complete(
      const std::string& name, const std::string& argument, const std::string& value,
      const std::map<std::string, std::string>& context_arguments) const;

 private:
  std::map<std::string, Prompt> prompts_;
};

}  // namespace benchtop
