#include "app/services.h"

#include "common/log.h"
#include "server/schema.h"
#include "tools/fs_tools.h"
#include "tools/project_resources.h"
#include "tools/project_tools.h"
#include "tools/search_tools.h"

namespace benchtop {

Result<std::unique_ptr<Services>> build_services(const CliOptions& options) {
  auto services = std::make_unique<Services>();
  if (!options.data_dir.empty()) {
    services->data_dir = DataDir(options.data_dir);
  } else {
    auto location = DataDir::default_location();
    if (!location) return location.take_error();
    services->data_dir = std::move(location).value();
  }
  if (auto created = services->data_dir.create(); !created) return created.take_error();

  auto database = Database::open(services->data_dir.database_file(), benchtop_migrations());
  if (!database) return database.take_error();
  services->database = std::move(database).value();
  services->projects =
      std::make_unique<ProjectService>(*services->database, services->data_dir.workspaces_dir());

  for (const auto& root : options.roots) {
    auto project = services->projects->register_root(root);
    if (!project) return Error::make("--root " + root + ": " + project.error().message);
    log::info("project '" + project->name + "' is " + root);
  }

  register_project_tools(services->tools, *services->projects);
  register_fs_tools(services->tools, *services->projects);
  register_search_tools(services->tools, *services->projects);
  register_project_resources(services->resources, *services->projects);
  return services;
}

}  // namespace benchtop
