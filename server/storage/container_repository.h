// Where the dev containers' records are kept: one per project that has (or had) a container.
// The sandbox's container store turns them into its own types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace benchtop {

struct ContainerRecord {
  std::string project_id;
  std::string backend;
  int64_t memory_bytes = 0;
  int64_t pids = 0;
  int64_t cpu_millis = 0;
  bool network = false;
  std::string state;  // ContainerState as text
  std::string error;
  std::string created_at;
  std::string last_activity;
};

class ContainerRepository {
 public:
  virtual ~ContainerRepository() = default;

  virtual Result<std::optional<ContainerRecord>> get(const std::string& project_id) = 0;
  // By project id.
  virtual Result<std::vector<ContainerRecord>> all() = 0;
  // Inserts or replaces everything but created_at, which an existing record keeps; created_at and
  // last_activity are set to now.
  virtual Status save(const ContainerRecord& record) = 0;
  virtual Status set_state(const std::string& project_id, const std::string& state,
                           const std::string& error) = 0;
  // last_activity = now.
  virtual Status touch(const std::string& project_id) = 0;
  virtual Status remove(const std::string& project_id) = 0;
};

}  // namespace benchtop
