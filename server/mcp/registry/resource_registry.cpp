#include "server/mcp/registry/resource_registry.h"

#include <stdexcept>

namespace benchtop {
namespace {

void put_optional(nlohmann::json& entry, const char* key, const std::string& value) {
  if (!value.empty()) entry[key] = value;
}

}  // namespace

void ResourceRegistry::add(Resource resource) {
  if (resource.uri.empty() || resource.name.empty() || !resource.read) {
    throw std::invalid_argument("resource needs a uri, a name and a read handler");
  }
  for (const auto& existing : resources_) {
    if (existing.uri == resource.uri) {
      throw std::invalid_argument("duplicate resource " + resource.uri);
    }
  }
  resources_.push_back(std::move(resource));
}

void ResourceRegistry::add_template(ResourceTemplate resource_template) {
  if (resource_template.name.empty() || !resource_template.read) {
    throw std::invalid_argument("resource template needs a name and a read handler");
  }
  auto parsed = UriTemplate::parse(resource_template.uri_template);
  if (!parsed) throw std::invalid_argument(parsed.error().message);
  for (const auto& existing : templates_) {
    if (existing.definition.uri_template == resource_template.uri_template) {
      throw std::invalid_argument("duplicate resource template " + resource_template.uri_template);
    }
  }
  templates_.push_back({std::move(resource_template), std::move(*parsed)});
}

bool ResourceRegistry::has_completions() const {
  for (const auto& entry : templates_) {
    if (entry.definition.complete) return true;
  }
  return false;
}

nlohmann::json ResourceRegistry::list() const {
  nlohmann::json out = nlohmann::json::array();
  auto add = [&out](const Resource& resource) {
    nlohmann::json entry = {{"uri", resource.uri}, {"name", resource.name}};
    put_optional(entry, "title", resource.title);
    put_optional(entry, "description", resource.description);
    put_optional(entry, "mimeType", resource.mime_type);
    out.push_back(std::move(entry));
  };
  for (const auto& resource : resources_) add(resource);
  for (const auto& entry : templates_) {
    if (!entry.definition.list) continue;
    for (const Resource& resource : entry.definition.list()) add(resource);
  }
  return out;
}

nlohmann::json ResourceRegistry::list_templates() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& entry : templates_) {
    const auto& definition = entry.definition;
    nlohmann::json item = {{"uriTemplate", definition.uri_template}, {"name", definition.name}};
    put_optional(item, "title", definition.title);
    put_optional(item, "description", definition.description);
    put_optional(item, "mimeType", definition.mime_type);
    out.push_back(std::move(item));
  }
  return out;
}

Result<nlohmann::json> ResourceRegistry::read(const std::string& uri, ToolContext& context) const {
  try {
    for (const auto& resource : resources_) {
      if (resource.uri == uri) return resource.read(uri, context);
    }
    for (const auto& entry : templates_) {
      if (auto variables = entry.parsed.match(uri)) {
        return entry.definition.read(uri, *variables, context);
      }
    }
  } catch (const std::exception& e) {
    return Error::make("Reading " + uri + " failed: " + e.what());
  }
  return Error::make("Resource not found: " + uri, kResourceNotFound);
}

Status ResourceRegistry::watch(const std::string& uri, std::function<void()> changed) const {
  for (const auto& entry : templates_) {
    if (auto variables = entry.parsed.match(uri)) {
      if (!entry.definition.watch) return Error::make("Changes of " + uri + " are not watched");
      try {
        return entry.definition.watch(uri, *variables, std::move(changed));
      } catch (const std::exception& e) {
        return Error::make("Watching " + uri + " failed: " + e.what());
      }
    }
  }
  return Error::make("Resource not found: " + uri, kResourceNotFound);
}

std::optional<std::vector<std::string>> ResourceRegistry::complete(
    const std::string& uri_template, const std::string& argument, const std::string& value,
    const std::map<std::string, std::string>& context_arguments) const {
  for (const auto& entry : templates_) {
    if (entry.definition.uri_template != uri_template) continue;
    if (!entry.definition.complete) return std::vector<std::string>{};
    return entry.definition.complete(argument, value, context_arguments);
  }
  return std::nullopt;
}

}  // namespace benchtop
