// Counts from a runner's own console output, for runs without a JUnit report: each parser
// recognises one runner's summary line(s) and leaves `parsed` false when it finds none.
#pragma once

#include <string>
#include <string_view>

#include "server/test_runs/parsers/test_report.h"

namespace benchtop::test_runs {

// "=== 1 failed, 2 passed, 1 skipped in 0.12s ===" and "FAILED path::name - message" lines.
TestCounts parse_pytest_summary(std::string_view output);
// node --test TAP: "# pass 2", "# fail 1", "# skipped 1", "not ok 3 - name" with its
// "location: 'file:line:col'".
TestCounts parse_tap_summary(std::string_view output);
// go test -json event stream: one JSON object per line with Action pass/fail/skip per Test.
TestCounts parse_go_json(std::string_view output);
// cargo test: "test result: FAILED. 1 passed; 1 failed; 2 ignored; ..." (summed over crates)
// and "---- name stdout ----" blocks with "panicked at file:line".
TestCounts parse_cargo_summary(std::string_view output);
// ctest: "75% tests passed, 1 tests failed out of 4" and "N - name (Failed)" lines.
TestCounts parse_ctest_summary(std::string_view output);
// Tries every parser above, then generic "N passed / N failed" phrases.
TestCounts parse_any_summary(std::string_view output);

}  // namespace benchtop::test_runs
