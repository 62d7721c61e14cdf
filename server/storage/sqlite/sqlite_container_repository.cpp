#include "server/storage/sqlite/sql_time.h"
#include "server/storage/sqlite/sqlite_repositories.h"

namespace benchtop {
namespace {

constexpr std::string_view kColumns =
    "project_id, backend, memory_bytes, pids_max, cpu_millis, network, status, error, created_at, "
    "last_activity";

ContainerRecord read_record(const Statement& statement) {
  ContainerRecord record;
  record.project_id = statement.column_text(0);
  record.backend = statement.column_text(1);
  record.memory_bytes = statement.column_int64(2);
  record.pids = statement.column_int64(3);
  record.cpu_millis = statement.column_int64(4);
  record.network = statement.column_int64(5) != 0;
  record.state = statement.column_text(6);
  record.error = statement.column_text(7);
  record.created_at = statement.column_text(8);
  record.last_activity = statement.column_text(9);
  return record;
}

class SqliteContainerRepository : public ContainerRepository {
 public:
  explicit SqliteContainerRepository(Database& database) : database_(database) {}

  Result<std::optional<ContainerRecord>> get(const std::string& project_id) override {
    auto connection = database_.connect();
    auto statement = connection.prepare("SELECT " + std::string(kColumns) +
                                        " FROM containers WHERE project_id = ?1");
    if (!statement) return statement.take_error();
    statement->bind_all(project_id);
    auto row = statement->step();
    if (!row) return row.take_error();
    if (!*row) return std::optional<ContainerRecord>();
    return std::optional<ContainerRecord>(read_record(*statement));
  }

  Result<std::vector<ContainerRecord>> all() override {
    auto connection = database_.connect();
    auto statement = connection.prepare("SELECT " + std::string(kColumns) +
                                        " FROM containers ORDER BY project_id");
    if (!statement) return statement.take_error();
    std::vector<ContainerRecord> records;
    for (;;) {
      auto row = statement->step();
      if (!row) return row.take_error();
      if (!*row) break;
      records.push_back(read_record(*statement));
    }
    return records;
  }

  Status save(const ContainerRecord& record) override {
    auto connection = database_.connect();
    auto statement = connection.prepare(
        "INSERT INTO containers (" + std::string(kColumns) +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " BENCHTOP_SQL_NOW ", " BENCHTOP_SQL_NOW
        ") ON CONFLICT (project_id) DO UPDATE SET backend = excluded.backend, "
        "memory_bytes = excluded.memory_bytes, pids_max = excluded.pids_max, "
        "cpu_millis = excluded.cpu_millis, network = excluded.network, status = excluded.status, "
        "error = excluded.error, last_activity = excluded.last_activity");
    if (!statement) return statement.take_error();
    statement->bind_all(record.project_id, record.backend, record.memory_bytes, record.pids,
                        record.cpu_millis, static_cast<int64_t>(record.network ? 1 : 0),
                        record.state, record.error);
    return statement->run();
  }

  Status set_state(const std::string& project_id, const std::string& state,
                   const std::string& error) override {
    auto connection = database_.connect();
    auto statement = connection.prepare(
        "UPDATE containers SET status = ?2, error = ?3, last_activity = " BENCHTOP_SQL_NOW
        " WHERE project_id = ?1");
    if (!statement) return statement.take_error();
    statement->bind_all(project_id, state, error);
    return statement->run();
  }

  Status touch(const std::string& project_id) override {
    auto connection = database_.connect();
    auto statement = connection.prepare("UPDATE containers SET last_activity = " BENCHTOP_SQL_NOW
                                        " WHERE project_id = ?1");
    if (!statement) return statement.take_error();
    statement->bind_all(project_id);
    return statement->run();
  }

  Status remove(const std::string& project_id) override {
    auto connection = database_.connect();
    auto statement = connection.prepare("DELETE FROM containers WHERE project_id = ?1");
    if (!statement) return statement.take_error();
    statement->bind_all(project_id);
    return statement->run();
  }

 private:
  Database& database_;
};

}  // namespace

std::unique_ptr<ContainerRepository> make_sqlite_container_repository(Database& database) {
  return std::make_unique<SqliteContainerRepository>(database);
}

}  // namespace benchtop
