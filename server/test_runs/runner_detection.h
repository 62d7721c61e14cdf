// Which test command to run for a project: the caller's own command, or one chosen from the
// files in the workspace (pytest, node --test / npm test, go test, cargo test, ctest, make test),
// arranged to write a JUnit report where the runner can.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/workspace/workspace.h"

namespace benchtop::test_runs {

// Where runners write their JUnit report, relative to the workspace root; removed after reading.
inline constexpr const char* kJunitDirectory = ".benchtop-test-results";
inline constexpr const char* kJunitFile = ".benchtop-test-results/junit.xml";

struct TestPlan {
  std::string runner;     // pytest, node, npm, go, cargo, ctest, make, custom
  std::string command;    // for /bin/sh -c, run in the workspace root
  std::string detection;  // why this runner was chosen, for the caller
  bool writes_junit = false;
};

// `paths` (files or directories to limit the run to) are checked beneath the workspace and
// refused when they could be read as options; they are passed to the runners that accept them.
Result<TestPlan> plan_test_run(const Workspace& workspace,
                               const std::optional<std::string>& command,
                               const std::vector<std::string>& paths);

}  // namespace benchtop::test_runs
