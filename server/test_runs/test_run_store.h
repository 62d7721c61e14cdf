// test_run results kept per project, for test_history.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/storage/test_run_repository.h"
#include "server/test_runs/parsers/test_report.h"

namespace benchtop {
class ProjectService;
}  // namespace benchtop

namespace benchtop::test_runs {

class TestRunStore {
 public:
  virtual ~TestRunStore() = default;
  // Stores `report` for `project` (id or name; std::nullopt = default) and returns it with its
  // id and start time.
  virtual Result<TestReport> record(const std::optional<std::string>& project,
                                    TestReport report) = 0;
  // Newest first.
  virtual Result<std::vector<TestReport>> history(const std::optional<std::string>& project,
                                                  size_t limit) = 0;
};

// The runs of the project service's projects, in a test run repository.
class ProjectTestRunStore : public TestRunStore {
 public:
  ProjectTestRunStore(TestRunRepository& repository, ProjectService& projects)
      : repository_(repository), projects_(projects) {}
  Result<TestReport> record(const std::optional<std::string>& project, TestReport report) override;
  Result<std::vector<TestReport>> history(const std::optional<std::string>& project,
                                          size_t limit) override;

 private:
  Result<std::string> project_id(const std::optional<std::string>& project);
  TestRunRepository& repository_;
  ProjectService& projects_;
};

}  // namespace benchtop::test_runs
