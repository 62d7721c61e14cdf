#include "server/mcp/registry/prompt_registry.h"

#include <stdexcept>

namespace benchtop {

void PromptRegistry::add(Prompt prompt) {
  if (prompt.name.empty() || !prompt.get) {
    throw std::invalid_argument("prompt needs a name and a get handler");
  }
  const std::string name = prompt.name;
  if (!prompts_.emplace(name, std::move(prompt)).second) {
    throw std::invalid_argument("duplicate prompt " + name);
  }
}

bool PromptRegistry::has_completions() const {
  for (const auto& [name, prompt] : prompts_) {
    if (prompt.complete) return true;
  }
  return false;
}

nlohmann::json PromptRegistry::list() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, prompt] : prompts_) {
    nlohmann::json entry = {{"name", name}, {"description", prompt.description}};
    if (!prompt.title.empty()) entry["title"] = prompt.title;
    if (!prompt.arguments.empty()) {
      nlohmann::json arguments = nlohmann::json::array();
      for (const auto& argument : prompt.arguments) {
        nlohmann::json item = {{"name", argument.name}, {"required", argument.required}};
        if (!argument.description.empty()) item["description"] = argument.description;
        arguments.push_back(std::move(item));
      }
      entry["arguments"] = std::move(arguments);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<nlohmann::json> PromptRegistry::get(const std::string& name,
                                           const std::map<std::string, std::string>& arguments,
                                           ToolContext& context) const {
  auto it = prompts_.find(name);
  if (it == prompts_.end()) {
    return Error::make("Unknown prompt: " + name + ". Call prompts/list to see the prompts.",
                       "not_found");
  }
  for (const auto& argument : it->second.arguments) {
    if (argument.required && !arguments.count(argument.name)) {
      return Error::make("Prompt " + name + " needs the argument '" + argument.name + "'",
                         "invalid_arguments");
    }
  }
  try {
    return it->second.get(arguments, context);
  } catch (const std::exception& e) {
    return Error::make("Prompt " + name + " failed: " + e.what());
  }
}

std::optional<std::vector<std::string>> PromptRegistry::complete(
    const std::string& name, const std::string& argument, const std::string& value,
    const std::map<std::string, std::string>& context_arguments) const {
  auto it = prompts_.find(name);
  if (it == prompts_.end()) return std::nullopt;
  if (!it->second.complete) return std::vector<std::string>{};
  return it->second.complete(argument, value, context_arguments);
}

}  // namespace benchtop
