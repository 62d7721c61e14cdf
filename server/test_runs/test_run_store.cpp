#include "server/test_runs/test_run_store.h"

#include <nlohmann/json.hpp>

#include "server/project/project_service.h"
#include "server/storage/database.h"

namespace benchtop::test_runs {

Result<std::string> SqliteTestRunStore::project_id(const std::optional<std::string>& project) {
  auto found = projects_.resolve(project);
  if (!found) return found.take_error();
  return found->id;
}

Result<TestReport> SqliteTestRunStore::record(const std::optional<std::string>& project,
                                              TestReport report) {
  auto id = project_id(project);
  if (!id) return id.take_error();
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& failure : report.counts.failures) failures.push_back(to_json(failure));
  auto connection = database_.connect();
  auto insert = connection.prepare(
      "INSERT INTO test_runs (project_id, started_at, command, runner, exit_code, passed, failed, "
      "skipped, errors, duration_ms, failures, output_tail) VALUES (?1, "
      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
      "RETURNING id, started_at");
  if (!insert) return insert.take_error();
  insert->bind_all(*id, report.command, report.runner);
  if (report.exit_code) {
    insert->bind(4, static_cast<int64_t>(*report.exit_code));
  } else {
    insert->bind(4, nullptr);
  }
  insert->bind(5, report.counts.passed)
      .bind(6, report.counts.failed)
      .bind(7, report.counts.skipped)
      .bind(8, report.counts.errors)
      .bind(9, report.duration_ms)
      .bind(10, failures.dump())
      .bind(11, report.output_tail);
  auto row = insert->step();
  if (!row) return row.take_error();
  if (*row) {
    report.id = insert->column_int64(0);
    report.started_at = insert->column_text(1);
  }
  return report;
}

Result<std::vector<TestReport>> SqliteTestRunStore::history(
    const std::optional<std::string>& project, size_t limit) {
  auto id = project_id(project);
  if (!id) return id.take_error();
  auto connection = database_.connect();
  auto select = connection.prepare(
      "SELECT id, started_at, command, runner, exit_code, passed, failed, skipped, errors, "
      "duration_ms, failures, output_tail FROM test_runs WHERE project_id = ? ORDER BY id DESC "
      "LIMIT ?");
  if (!select) return select.take_error();
  select->bind(1, *id).bind(2, static_cast<int64_t>(limit));
  std::vector<TestReport> reports;
  while (true) {
    auto row = select->step();
    if (!row) return row.take_error();
    if (!*row) break;
    TestReport report;
    report.id = select->column_int64(0);
    report.started_at = select->column_text(1);
    report.command = select->column_text(2);
    report.runner = select->column_text(3);
    if (!select->column_is_null(4)) report.exit_code = static_cast<int>(select->column_int64(4));
    report.counts.passed = select->column_int64(5);
    report.counts.failed = select->column_int64(6);
    report.counts.skipped = select->column_int64(7);
    report.counts.errors = select->column_int64(8);
    report.duration_ms = select->column_int64(9);
    auto failures = nlohmann::json::parse(select->column_text(10), nullptr, false);
    if (failures.is_array()) {
      for (const auto& failure : failures)
        report.counts.failures.push_back(failure_from_json(failure));
    }
    report.output_tail = select->column_text(11);
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace benchtop::test_runs
