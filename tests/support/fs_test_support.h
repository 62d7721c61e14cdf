// Helpers for tests that need a real directory tree: a temporary directory removed on scope exit,
// small file helpers, and a WorkspaceProvider over one temporary workspace.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/project/project_service.h"
#include "server/workspace/workspace.h"
#include "server/workspace/workspace_provider.h"
#include "tests/support/temp_dir.h"

namespace benchtop::testing {

inline bool exists_no_follow(const std::filesystem::path& path) {
  return std::filesystem::exists(std::filesystem::symlink_status(path));
}

// A workspace root and, beside it, a directory that stands for "outside" in escape tests.
class WorkspaceFixtureDirs {
 public:
  WorkspaceFixtureDirs() {
    std::filesystem::create_directory(base_.path() / "ws");
    std::filesystem::create_directory(base_.path() / "outside");
  }
  std::filesystem::path root() const { return base_.path() / "ws"; }
  std::filesystem::path outside() const { return base_.path() / "outside"; }
  const std::filesystem::path& base() const { return base_.path(); }

 private:
  TempDir base_;
};

// Serves one workspace as the default project, also under the name "demo".
class SingleWorkspaceProvider : public WorkspaceProvider {
 public:
  explicit SingleWorkspaceProvider(const std::filesystem::path& root) {
    auto opened = Workspace::open(root);
    if (!opened) throw std::runtime_error(opened.error().message);
    workspace_ = std::move(opened).value();
  }
  Result<std::shared_ptr<const Workspace>> workspace(
      const std::optional<std::string>& project) override {
    if (project && *project != "demo") {
      return Error::make("No project named '" + *project + "'; call project_list", "not_found");
    }
    return std::shared_ptr<const Workspace>(workspace_);
  }
  // The one project, as a project list shows it.
  Result<std::vector<Project>> projects() const {
    Project demo;
    demo.id = "00000000-0000-4000-8000-000000000000";
    demo.name = "demo";
    demo.kind = ProjectKind::kExternal;
    demo.root = workspace_->root();
    demo.is_default = true;
    return std::vector<Project>{demo};
  }

 private:
  std::shared_ptr<Workspace> workspace_;
};

}  // namespace benchtop::testing
