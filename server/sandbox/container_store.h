// The dev containers' records as the container manager sees them: one per project that has (or
// had) a dev container, kept in a container repository.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/sandbox/container_types.h"
#include "server/storage/container_repository.h"

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
  explicit ContainerStore(ContainerRepository& repository) : repository_(repository) {}

  Result<std::optional<ContainerRow>> get(const std::string& project_id);
  Result<std::vector<ContainerRow>> all();
  // Inserts or replaces backend, limits, network and state; created_at is kept for an existing row.
  Status save(const ContainerRow& row);
  Status set_state(const std::string& project_id, ContainerState state,
                   const std::string& error = {});
  Status touch(const std::string& project_id);
  Status remove(const std::string& project_id);

 private:
  ContainerRepository& repository_;
};

}  // namespace benchtop
