// JUnit XML (as written by pytest --junitxml, ctest --output-junit, node --test-reporter=junit,
// go-junit-report, jest/vitest reporters) to test counts and failures.
#pragma once

#include <string_view>

#include "common/result.h"
#include "server/test_runs/parsers/test_report.h"

namespace benchtop::test_runs {

// Counts every <testcase> (nested suites included): a <failure> child (or a node-style
// failure attribute) is a failure, <error> an error, <skipped> a skip, anything else a pass.
// Failure file/line come from the testcase's file attribute and the first file:line in the
// failure text.
Result<TestCounts> parse_junit(std::string_view xml);

}  // namespace benchtop::test_runs
