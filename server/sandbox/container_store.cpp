#include "server/sandbox/container_store.h"

namespace benchtop {
namespace {

ContainerRow from_record(ContainerRecord record) {
  ContainerRow row;
  row.project_id = std::move(record.project_id);
  row.backend = std::move(record.backend);
  row.limits.memory_bytes = record.memory_bytes;
  row.limits.pids = record.pids;
  row.limits.cpu_millis = record.cpu_millis;
  row.network = record.network;
  row.state = container_state_from(record.state).value_or(ContainerState::kError);
  row.error = std::move(record.error);
  row.created_at = std::move(record.created_at);
  row.last_activity = std::move(record.last_activity);
  return row;
}

}  // namespace

std::string_view to_string(ContainerState state) {
  switch (state) {
    case ContainerState::kCreating:
      return "creating";
    case ContainerState::kRunning:
      return "running";
    case ContainerState::kSuspended:
      return "suspended";
    case ContainerState::kStopped:
      return "stopped";
    case ContainerState::kError:
      return "error";
  }
  return "error";
}

std::optional<ContainerState> container_state_from(std::string_view text) {
  for (auto state :
       {ContainerState::kCreating, ContainerState::kRunning, ContainerState::kSuspended,
        ContainerState::kStopped, ContainerState::kError}) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

Result<std::optional<ContainerRow>> ContainerStore::get(const std::string& project_id) {
  auto record = repository_.get(project_id);
  if (!record) return record.take_error();
  if (!record->has_value()) return std::optional<ContainerRow>();
  return std::optional<ContainerRow>(from_record(std::move(**record)));
}

Result<std::vector<ContainerRow>> ContainerStore::all() {
  auto records = repository_.all();
  if (!records) return records.take_error();
  std::vector<ContainerRow> rows;
  rows.reserve(records->size());
  for (auto& record : *records) rows.push_back(from_record(std::move(record)));
  return rows;
}

Status ContainerStore::save(const ContainerRow& row) {
  ContainerRecord record;
  record.project_id = row.project_id;
  record.backend = row.backend;
  record.memory_bytes = row.limits.memory_bytes;
  record.pids = row.limits.pids;
  record.cpu_millis = row.limits.cpu_millis;
  record.network = row.network;
  record.state = std::string(to_string(row.state));
  record.error = row.error;
  return repository_.save(record);
}

Status ContainerStore::set_state(const std::string& project_id, ContainerState state,
                                 const std::string& error) {
  return repository_.set_state(project_id, std::string(to_string(state)), error);
}

Status ContainerStore::touch(const std::string& project_id) {
  return repository_.touch(project_id);
}

Status ContainerStore::remove(const std::string& project_id) {
  return repository_.remove(project_id);
}

}  // namespace benchtop
