// Where projects and the choice of default project are kept. Rows only: names, rules and
// workspaces are the project service's (server/project/); this interface is what a store must do
// for it, whatever database is behind it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace benchtop {

struct ProjectRecord {
  std::string id;  // UUIDv4
  std::string name;
  std::string description;
  std::string kind;  // "managed" or "external"
  std::string root;  // an external project's directory; "" for a managed one
  std::string created_at;
  std::string updated_at;
  bool is_default = false;
};

class ProjectRepository {
 public:
  virtual ~ProjectRepository() = default;

  // By name.
  virtual Result<std::vector<ProjectRecord>> list() = 0;
  // The project whose id or name is `id_or_name` (names cannot look like ids, so at most one).
  virtual Result<std::optional<ProjectRecord>> find(std::string_view id_or_name) = 0;
  virtual Result<std::optional<ProjectRecord>> find_default() = 0;

  // Inserts a managed project; `name` taken fails with code "exists". `before_commit` runs inside
  // the same transaction after the row is written (the service makes the workspace there): when
  // it fails, the row is not kept.
  virtual Status insert_managed(const std::string& id, const std::string& name,
                                const std::string& description,
                                const std::function<Status()>& before_commit) = 0;

  // The external project rooted at `root`, made the default. When there is none yet, it is
  // inserted under the first of `name_candidates(0)`, `name_candidates(1)`, … that is free (an
  // empty candidate gives up with code "exists"), with `id` and `description`. One transaction.
  virtual Result<std::string> register_external(
      const std::string& root, const std::string& id, const std::string& description,
      const std::function<std::string(int attempt)>& name_candidates) = 0;

  // Fails with code "not_found" when there is no such project.
  virtual Status set_default(const std::string& id) = 0;
  // Removes the project (and its being the default); nothing happens for an unknown id.
  virtual Status remove(const std::string& id) = 0;
};

}  // namespace benchtop
