// The containers table: one row per project that has (or had) a dev container.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/sandbox/container_types.h"
#include "server/storage/database.h"

namespace benchtop {

struct ContainerRow {
  std::string project_id;
  std::string backend;
  ContainerLimits limits;
  bool network = false;
  ContainerState state = ContainerState::kStopped;
  std::string error;
  std::string created_at;
  std::string last_activity;
};

class ContainerStore {
 public:
  explicit ContainerStore(Database& database) : database_(database) {}

  Result<std::optional<ContainerRow>> get(const std::string& project_id);
  Result<std::vector<ContainerRow>> all();
  // Inserts or replaces backend, limits, network and state; created_at is kept for an existing row.
  Status save(const ContainerRow& row);
  Status set_state(const std::string& project_id, ContainerState state,
                   const std::string& error = {});
  Status touch(const std::string& project_id);
  Status remove(const std::string& project_id);

 private:
  Database& database_;
};

}  // namespace benchtop
