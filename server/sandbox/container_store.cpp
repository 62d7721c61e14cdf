#include "server/sandbox/container_store.h"

namespace benchtop {
namespace {

constexpr std::string_view kColumns =
    "project_id, backend, memory_bytes, pids_max, cpu_millis, network, status, error, created_at, "
    "last_activity";
#define BENCHTOP_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

ContainerRow read_row(const Statement& statement) {
  ContainerRow row;
  row.project_id = statement.column_text(0);
  row.backend = statement.column_text(1);
  row.limits.memory_bytes = statement.column_int64(2);
  row.limits.pids = statement.column_int64(3);
  row.limits.cpu_millis = statement.column_int64(4);
  row.network = statement.column_int64(5) != 0;
  row.state = container_state_from(statement.column_text(6)).value_or(ContainerState::kError);
  row.error = statement.column_text(7);
  row.created_at = statement.column_text(8);
  row.last_activity = statement.column_text(9);
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
  auto connection = database_.connect();
  auto statement = connection.prepare("SELECT " + std::string(kColumns) +
                                      " FROM containers WHERE project_id = ?1");
  if (!statement) return statement.take_error();
  statement->bind_all(project_id);
  auto row = statement->step();
  if (!row) return row.take_error();
  if (!*row) return std::optional<ContainerRow>();
  return std::optional<ContainerRow>(read_row(*statement));
}

Result<std::vector<ContainerRow>> ContainerStore::all() {
  auto connection = database_.connect();
  auto statement = connection.prepare("SELECT " + std::string(kColumns) +
                                      " FROM containers ORDER BY project_id");
  if (!statement) return statement.take_error();
  std::vector<ContainerRow> rows;
  for (;;) {
    auto row = statement->step();
    if (!row) return row.take_error();
    if (!*row) break;
    rows.push_back(read_row(*statement));
  }
  return rows;
}

Status ContainerStore::save(const ContainerRow& row) {
  auto connection = database_.connect();
  auto statement = connection.prepare(
      "INSERT INTO containers (" + std::string(kColumns) +
      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " BENCHTOP_NOW ", " BENCHTOP_NOW
      ") ON CONFLICT (project_id) DO UPDATE SET backend = excluded.backend, "
      "memory_bytes = excluded.memory_bytes, pids_max = excluded.pids_max, "
      "cpu_millis = excluded.cpu_millis, network = excluded.network, status = excluded.status, "
      "error = excluded.error, last_activity = excluded.last_activity");
  if (!statement) return statement.take_error();
  statement->bind_all(row.project_id, row.backend, row.limits.memory_bytes, row.limits.pids,
                      row.limits.cpu_millis, static_cast<int64_t>(row.network ? 1 : 0),
                      std::string(to_string(row.state)), row.error);
  return statement->run();
}

Status ContainerStore::set_state(const std::string& project_id, ContainerState state,
                                 const std::string& error) {
  auto connection = database_.connect();
  auto statement = connection.prepare(
      "UPDATE containers SET status = ?2, error = ?3, last_activity = " BENCHTOP_NOW
      " WHERE project_id = ?1");
  if (!statement) return statement.take_error();
  statement->bind_all(project_id, std::string(to_string(state)), error);
  return statement->run();
}

Status ContainerStore::touch(const std::string& project_id) {
  auto connection = database_.connect();
  auto statement = connection.prepare("UPDATE containers SET last_activity = " BENCHTOP_NOW
                                      " WHERE project_id = ?1");
  if (!statement) return statement.take_error();
  statement->bind_all(project_id);
  return statement->run();
}

Status ContainerStore::remove(const std::string& project_id) {
  auto connection = database_.connect();
  auto statement = connection.prepare("DELETE FROM containers WHERE project_id = ?1");
  if (!statement) return statement.take_error();
  statement->bind_all(project_id);
  return statement->run();
}

}  // namespace benchtop
