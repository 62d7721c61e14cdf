// The resources a server exposes: fixed URIs and URI templates, each with a read handler, plus
// completion of template variables. Handlers run without any registry lock held, like tools.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/mcp/registry/tool.h"
#include "server/mcp/registry/uri_template.h"

namespace benchtop {

// Error code of a read handler for an unknown URI; the server answers it with the protocol's
// "resource not found" error rather than a generic failure.
inline constexpr const char* kResourceNotFound = "resource_not_found";

// The `contents` array of a resources/read result: objects with uri, mimeType and text or blob.
using ResourceReader =
    std::function<Result<nlohmann::json>(const std::string& uri, ToolContext& context)>;
using TemplateReader = std::function<Result<nlohmann::json>(
    const std::string& uri, const std::map<std::string, std::string>& variables,
    ToolContext& context)>;
// Candidate values for one argument (a prompt argument or a template variable) given its partial
// `value` and the values of the other arguments already chosen.
using CompletionProvider = std::function<std::vector<std::string>(
    const std::string& argument, const std::string& value,
    const std::map<std::string, std::string>& context_arguments)>;

struct Resource {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  ResourceReader read;
};

struct ResourceTemplate {
  std::string uri_template;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  TemplateReader read;
  CompletionProvider complete;  // may be empty
  // The template's resources worth naming in resources/list (each project's AGENTS.md, say),
  // asked for at every list; they are read through the template like any other URI. May be empty.
  std::function<std::vector<Resource>()> list;
  // Starts calling `changed` whenever the resource at `uri` changes (resource subscriptions);
  // empty when the template's resources cannot be watched.
  std::function<Status(const std::string& uri, const std::map<std::string, std::string>& variables,
                       std::function<void()> changed)>
      watch;
};

class ResourceRegistry {
 public:
  ResourceRegistry() = default;
  ResourceRegistry(const ResourceRegistry&) = delete;
  ResourceRegistry& operator=(const ResourceRegistry&) = delete;

  // Throw std::invalid_argument on a duplicate, a missing handler or an invalid template.
  void add(Resource resource);
  void add_template(ResourceTemplate resource_template);

  bool empty() const { return resources_.empty() && templates_.empty(); }
  bool has_completions() const;

  // resources/list and resources/templates/list entries, in registration order.
  nlohmann::json list() const;
  nlohmann::json list_templates() const;

  // The contents of `uri`: a fixed resource first, then the first template that matches. An
  // unknown URI fails with code kResourceNotFound.
  Result<nlohmann::json> read(const std::string& uri, ToolContext& context) const;

  // Calls `changed` whenever the resource at `uri` changes, through the watch of the first
  // template that matches; an error when none matches or it cannot be watched.
  Status watch(const std::string& uri, std::function<void()> changed) const;

  // Completion of a variable of the template named by its URI template; std::nullopt when no
  // such template exists.
  std::optional<std::vector<std::string>> complete(
      const std::string& uri_template, const std::string& argument, const std::string& value,
      const std::map<std::string, std::string>& context_arguments) const;

 private:
  struct TemplateEntry {
    ResourceTemplate definition;
    UriTemplate parsed;
  };
  std::vector<Resource> resources_;
  std::vector<TemplateEntry> templates_;
};

}  // namespace benchtop
