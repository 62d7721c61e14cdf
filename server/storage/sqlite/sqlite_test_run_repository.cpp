#include "server/storage/sqlite/sql_time.h"
#include "server/storage/sqlite/sqlite_repositories.h"

namespace benchtop {
namespace {

class SqliteTestRunRepository : public TestRunRepository {
 public:
  explicit SqliteTestRunRepository(Database& database) : database_(database) {}

  Result<TestRunRecord> insert(TestRunRecord record) override {
    auto connection = database_.connect();
    auto insert = connection.prepare(
        "INSERT INTO test_runs (project_id, started_at, command, runner, exit_code, passed, "
        "failed, skipped, errors, duration_ms, failures, output_tail) VALUES (?1, " BENCHTOP_SQL_NOW
        ", ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id, started_at");
    if (!insert) return insert.take_error();
    insert->bind_all(record.project_id, record.command, record.runner);
    if (record.exit_code) {
      insert->bind(4, *record.exit_code);
    } else {
      insert->bind(4, nullptr);
    }
    insert->bind(5, record.passed)
        .bind(6, record.failed)
        .bind(7, record.skipped)
        .bind(8, record.errors)
        .bind(9, record.duration_ms)
        .bind(10, record.failures)
        .bind(11, record.output_tail);
    auto row = insert->step();
    if (!row) return row.take_error();
    if (*row) {
      record.id = insert->column_int64(0);
      record.started_at = insert->column_text(1);
    }
    return record;
  }

  Result<std::vector<TestRunRecord>> recent(const std::string& project_id, size_t limit) override {
    auto connection = database_.connect();
    auto select = connection.prepare(
        "SELECT id, started_at, command, runner, exit_code, passed, failed, skipped, errors, "
        "duration_ms, failures, output_tail FROM test_runs WHERE project_id = ? ORDER BY id DESC "
        "LIMIT ?");
    if (!select) return select.take_error();
    select->bind(1, project_id).bind(2, static_cast<int64_t>(limit));
    std::vector<TestRunRecord> records;
    for (;;) {
      auto row = select->step();
      if (!row) return row.take_error();
      if (!*row) break;
      TestRunRecord record;
      record.id = select->column_int64(0);
      record.started_at = select->column_text(1);
      record.project_id = project_id;
      record.command = select->column_text(2);
      record.runner = select->column_text(3);
      if (!select->column_is_null(4)) record.exit_code = select->column_int64(4);
      record.passed = select->column_int64(5);
      record.failed = select->column_int64(6);
      record.skipped = select->column_int64(7);
      record.errors = select->column_int64(8);
      record.duration_ms = select->column_int64(9);
      record.failures = select->column_text(10);
      record.output_tail = select->column_text(11);
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  Database& database_;
};

}  // namespace

std::unique_ptr<TestRunRepository> make_sqlite_test_run_repository(Database& database) {
  return std::make_unique<SqliteTestRunRepository>(database);
}

}  // namespace benchtop
