// Runs a project's tests through the CommandRunner (so inside the project's container) and turns
// the output into a TestReport: JUnit XML when the runner wrote one, its summary lines otherwise.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/process/command_runner.h"
#include "server/test_runs/parsers/test_report.h"
#include "server/workspace/workspace.h"

namespace benchtop::test_runs {

struct TestRunRequest {
  std::optional<std::string> command;  // std::nullopt: detect the runner
  std::vector<std::string> paths;
  std::chrono::milliseconds timeout{600'000};
};

Result<TestReport> run_tests(const Workspace& workspace, CommandRunner& runner,
                             const std::optional<std::string>& project,
                             const TestRunRequest& request, const CancellationToken& cancellation,
                             const OutputSink& on_output = {});

// Turns a finished run's output (and JUnit report, if any) into counts; exposed for tests.
TestCounts interpret_output(const std::string& runner, const std::string& output,
                            const std::optional<std::string>& junit, CountSource& source);

}  // namespace benchtop::test_runs
