#include "server/test_runs/test_run_store.h"

#include <nlohmann/json.hpp>

#include "server/project/project_service.h"

namespace benchtop::test_runs {
namespace {

TestRunRecord to_record(const std::string& project_id, const TestReport& report) {
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& failure : report.counts.failures) failures.push_back(to_json(failure));
  TestRunRecord record;
  record.project_id = project_id;
  record.command = report.command;
  record.runner = report.runner;
  if (report.exit_code) record.exit_code = *report.exit_code;
  record.passed = report.counts.passed;
  record.failed = report.counts.failed;
  record.skipped = report.counts.skipped;
  record.errors = report.counts.errors;
  record.duration_ms = report.duration_ms;
  record.failures = failures.dump();
  record.output_tail = report.output_tail;
  return record;
}

TestReport from_record(TestRunRecord record) {
  TestReport report;
  report.id = record.id;
  report.started_at = std::move(record.started_at);
  report.command = std::move(record.command);
  report.runner = std::move(record.runner);
  if (record.exit_code) report.exit_code = static_cast<int>(*record.exit_code);
  report.counts.passed = record.passed;
  report.counts.failed = record.failed;
  report.counts.skipped = record.skipped;
  report.counts.errors = record.errors;
  report.duration_ms = record.duration_ms;
  auto failures = nlohmann::json::parse(record.failures, nullptr, false);
  if (failures.is_array()) {
    for (const auto& failure : failures) {
      report.counts.failures.push_back(failure_from_json(failure));
    }
  }
  report.output_tail = std::move(record.output_tail);
  return report;
}

}  // namespace

Result<std::string> ProjectTestRunStore::project_id(const std::optional<std::string>& project) {
  auto found = projects_.resolve(project);
  if (!found) return found.take_error();
  return found->id;
}

Result<TestReport> ProjectTestRunStore::record(const std::optional<std::string>& project,
                                               TestReport report) {
  auto id = project_id(project);
  if (!id) return id.take_error();
  auto stored = repository_.insert(to_record(*id, report));
  if (!stored) return stored.take_error();
  report.id = stored->id;
  report.started_at = stored->started_at;
  return report;
}

Result<std::vector<TestReport>> ProjectTestRunStore::history(
    const std::optional<std::string>& project, size_t limit) {
  auto id = project_id(project);
  if (!id) return id.take_error();
  auto records = repository_.recent(*id, limit);
  if (!records) return records.take_error();
  std::vector<TestReport> reports;
  reports.reserve(records->size());
  for (auto& record : *records) reports.push_back(from_record(std::move(record)));
  return reports;
}

}  // namespace benchtop::test_runs
