// The structured result of one test run, whichever runner produced it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop::test_runs {

// A failed assertion, or an error that kept the test from running to its assertions.
enum class FailureKind { kFailure, kError };
std::string_view to_string(FailureKind kind);  // "failure", "error"

// Where a report's counts came from: JUnit XML, `go test -json`, or the runner's summary line.
enum class CountSource { kUnknown, kJunit, kGoJson, kSummary };
std::string_view to_string(CountSource source);  // "", "junit", "go-json", "summary"

struct TestFailure {
  std::string name;     // e.g. "test_math::test_bad" or "suite > case"
  std::string message;  // first lines of the assertion message
  std::string file;     // "" when unknown
  std::optional<int> line;
  FailureKind kind = FailureKind::kFailure;
};

struct TestCounts {
  int64_t passed = 0;
  int64_t failed = 0;
  int64_t skipped = 0;
  int64_t errors = 0;
  std::vector<TestFailure> failures;
  bool parsed = false;  // false when nothing recognisable was found
};

struct TestReport {
  int64_t id = 0;          // history id once stored
  std::string started_at;  // ISO 8601 UTC, set by the store
  std::string runner;      // "pytest", "node", "npm", "ctest", "go", "cargo", "make", "custom"
  std::string command;
  std::string detection;  // why this runner was chosen
  CountSource source = CountSource::kUnknown;
  std::optional<int> exit_code;
  bool timed_out = false;
  bool cancelled = false;
  TestCounts counts;
  int64_t duration_ms = 0;
  std::string output_tail;
};

nlohmann::json to_json(const TestFailure& failure);
nlohmann::json to_json(const TestReport& report);
TestFailure failure_from_json(const nlohmann::json& json);

// Finds "path/to/file.ext:LINE" in `text` (a traceback, an assertion message), preferring a
// mention of `preferred_file` when given, and the last mention otherwise (closest to the failing
// line in Python tracebacks).
bool find_location(const std::string& text, const std::string& preferred_file, std::string& file,
                   int& line);

}  // namespace benchtop::test_runs
