// How tools find the workspace they act on. The project service implements it over SQLite; tests
// implement it over a temporary directory. Tools never see project storage directly.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace benchtop {

class Workspace;

class WorkspaceProvider {
 public:
  virtual ~WorkspaceProvider() = default;

  // `project` is a project id or name; std::nullopt selects the default project. The error message
  // tells the model how to recover (e.g. "no project named 'x'; call project_list").
  virtual Result<std::shared_ptr<const Workspace>> workspace(
      const std::optional<std::string>& project) = 0;
};

}  // namespace benchtop
