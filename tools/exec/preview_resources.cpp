#include "tools/exec/preview_resources.h"

#include <memory>
#include <mutex>
#include <vector>

#include "server/preview/port_previews.h"

namespace benchtop {
namespace {

constexpr const char* kMimeType = "application/json";

// The watches' subscriptions, kept for as long as the template is registered.
struct Watches {
  std::mutex mutex;
  std::vector<PortWatch::Subscription> subscriptions;
};

// The project a previews URI names (by name or id), or a "not found" error.
Result<Project> project_of(ProjectService& projects,
                           const std::map<std::string, std::string>& variables) {
  auto project = projects.get(variables.at("project"));
  if (!project) return Error::make(project.error().message, kResourceNotFound);
  return project;
}

nlohmann::json previews_json(const Project& project, PortWatch& ports, const PreviewLinks& links) {
  const PortWatch::Ports listening = ports.listening(project.id);
  nlohmann::json body = {{"project", project.id}, {"ports", listening}};
  if (links.serving()) {
    body["previews"] = nlohmann::json::array();
    for (const auto& preview : port_previews(links, project.id, listening)) {
      body["previews"].push_back({{"port", preview.port}, {"url", preview.url}});
    }
  }
  return body;
}

}  // namespace

void register_preview_resources(ResourceRegistry& resources, ProjectService& projects,
                                PortWatch& ports, const PreviewLinks& links) {
  ResourceTemplate previews;
  previews.uri_template = "benchtop-previews://{project}";
  previews.name = "project-previews";
  previews.title = "Project previews";
  previews.description =
      "The TCP ports a project's dev container listens on and, when benchtop serves HTTP, the "
      "preview URL of each: benchtop-previews://<project name or id>, as JSON {project (id), "
      "ports, previews: [{port, url}]}. Subscribe to hear when a port opens (a dev server is up). "
      "Reading never starts or wakes the container.";
  previews.mime_type = kMimeType;
  previews.read = [&projects, &ports, &links](const std::string& uri,
                                              const std::map<std::string, std::string>& variables,
                                              ToolContext&) -> Result<nlohmann::json> {
    auto project = project_of(projects, variables);
    if (!project) return project.take_error();
    return nlohmann::json::array({{{"uri", uri},
                                   {"mimeType", kMimeType},
                                   {"text", previews_json(*project, ports, links).dump()}}});
  };
  previews.complete = [&projects](const std::string& argument, const std::string& value,
                                  const std::map<std::string, std::string>&) {
    if (argument == "project") return projects.names_starting_with(value);
    return std::vector<std::string>{};
  };
  auto watches = std::make_shared<Watches>();
  previews.watch = [&projects, &ports, watches](const std::string&,
                                                const std::map<std::string, std::string>& variables,
                                                std::function<void()> changed) -> Status {
    auto project = project_of(projects, variables);
    if (!project) return project.take_error();
    auto subscription = ports.subscribe(
        project->id, [changed = std::move(changed)](const PortWatch::Ports&,
                                                    const PortWatch::Ports&) { changed(); });
    std::lock_guard lock(watches->mutex);
    watches->subscriptions.push_back(std::move(subscription));
    return {};
  };
  resources.add_template(std::move(previews));
}

}  // namespace benchtop
