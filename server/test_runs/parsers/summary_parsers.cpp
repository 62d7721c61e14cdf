#include "server/test_runs/parsers/summary_parsers.h"

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/parse_number.h"
#include "server/test_runs/parsers/output_regex.h"

namespace benchtop::test_runs {
namespace {

int64_t to_int(const std::string& text) {
  return parse_integer<int64_t>(text).value_or(0);
}

// The number before `word` in phrases like "3 passed" (last occurrence).
std::optional<int64_t> count_before(const std::string& text, const std::string& word) {
  const auto matches = OutputRegex("(\\d+) " + word).search_all(text);
  if (matches.empty()) return std::nullopt;
  return to_int(matches.back()[1]);
}

std::vector<std::string> lines_of(std::string_view output) {
  std::vector<std::string> lines;
  std::istringstream stream{std::string(output)};
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// A string member of a `go test -json` event, or "" when it is absent or not a string: the output
// comes from code in the project, and json::value() throws on a member of another type.
std::string string_member(const nlohmann::json& event, const char* name) {
  const auto member = event.find(name);
  return member != event.end() && member->is_string() ? member->get<std::string>() : "";
}

}  // namespace

TestCounts parse_pytest_summary(std::string_view output) {
  TestCounts counts;
  const OutputRegex summary(
      R"(^=+ (.*\d+ (passed|failed|skipped|error|errors|deselected).*) in [\d.]+s.* =+$)");
  const OutputRegex quiet(R"(^(\d+ (passed|failed|skipped|error|errors)[^=]*) in [\d.]+s)");
  const OutputRegex failed(R"(^(FAILED|ERROR) (\S+?)(?: - (.*))?$)");
  for (const auto& line : lines_of(output)) {
    std::optional<OutputRegex::Match> match;
    if ((match = summary.search(line)) || (match = quiet.search(line))) {
      const std::string text = (*match)[1];
      counts.passed = count_before(text, "passed").value_or(0);
      counts.failed = count_before(text, "failed").value_or(0);
      counts.skipped = count_before(text, "skipped").value_or(0);
      counts.errors = count_before(text, "error").value_or(0);
      counts.parsed = true;
    } else if ((match = failed.match(line))) {
      TestFailure failure;
      failure.kind = (*match)[1] == "ERROR" ? FailureKind::kError : FailureKind::kFailure;
      failure.name = (*match)[2];
      failure.message = (*match)[3];
      failure.file = failure.name.substr(0, failure.name.find("::"));
      counts.failures.push_back(std::move(failure));
    }
  }
  return counts;
}

TestCounts parse_tap_summary(std::string_view output) {
  TestCounts counts;
  const OutputRegex total(R"(^# (pass|fail|skipped|todo|cancelled) (\d+)$)");
  const OutputRegex not_ok(R"(^\s*not ok \d+ - (.*?)(\s+#.*)?$)");
  const OutputRegex location(R"(location: '(.*):(\d+):\d+')");
  const OutputRegex error_line(R"(^\s*error: '?(.*?)'?$)");
  TestFailure* open = nullptr;
  for (const auto& line : lines_of(output)) {
    std::optional<OutputRegex::Match> match;
    if ((match = total.match(line))) {
      const std::string key = (*match)[1];
      const int64_t value = to_int((*match)[2]);
      if (key == "pass") counts.passed = value;
      if (key == "fail") counts.failed = value;
      if (key == "skipped" || key == "todo") counts.skipped += value;
      if (key == "cancelled") counts.errors = value;
      counts.parsed = true;
    } else if ((match = not_ok.match(line))) {
      counts.failures.push_back(
          TestFailure{(*match)[1], "", "", std::nullopt, FailureKind::kFailure});
      open = &counts.failures.back();
    } else if (open && (match = location.search(line))) {
      open->file = (*match)[1];
      open->line = static_cast<int>(to_int((*match)[2]));
    } else if (open && open->message.empty() && (match = error_line.match(line))) {
      open->message = (*match)[1];
    }
  }
  // Suites appear as "not ok" lines too when a subtest fails; keep leaf failures only when the
  // counts say how many there are.
  return counts;
}

TestCounts parse_go_json(std::string_view output) {
  TestCounts counts;
  std::map<std::string, std::string> test_output;
  for (const auto& line : lines_of(output)) {
    if (line.empty() || line.front() != '{') continue;
    auto event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_discarded() || !event.is_object()) continue;
    const std::string test = string_member(event, "Test");
    const std::string action = string_member(event, "Action");
    if (test.empty()) continue;
    const std::string key = string_member(event, "Package") + "." + test;
    counts.parsed = true;
    if (action == "output") {
      test_output[key] += string_member(event, "Output");
    } else if (action == "pass") {
      ++counts.passed;
    } else if (action == "skip") {
      ++counts.skipped;
    } else if (action == "fail") {
      ++counts.failed;
      TestFailure failure;
      failure.name = test;
      const std::string& text = test_output[key];
      std::string file;
      int line_number = 0;
      if (find_location(text, "", file, line_number)) {
        failure.file = file;
        failure.line = line_number;
        // The message follows "file.go:LINE: ".
        const std::string marker = file + ":" + std::to_string(line_number) + ": ";
        const size_t at = text.find(marker);
        if (at != std::string::npos) {
          failure.message = text.substr(at + marker.size());
          failure.message = failure.message.substr(0, failure.message.find('\n'));
        }
      }
      counts.failures.push_back(std::move(failure));
    }
  }
  return counts;
}

TestCounts parse_cargo_summary(std::string_view output) {
  TestCounts counts;
  const OutputRegex result(R"(test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored)");
  const OutputRegex block(R"(^---- (\S+) stdout ----$)");
  const OutputRegex panic(R"(panicked at ([^:]+):(\d+):\d+:?(.*)$)");
  TestFailure* open = nullptr;
  for (const auto& line : lines_of(output)) {
    std::optional<OutputRegex::Match> match;
    if ((match = result.search(line))) {
      counts.passed += to_int((*match)[1]);
      counts.failed += to_int((*match)[2]);
      counts.skipped += to_int((*match)[3]);
      counts.parsed = true;
    } else if ((match = block.match(line))) {
      counts.failures.push_back(
          TestFailure{(*match)[1], "", "", std::nullopt, FailureKind::kFailure});
      open = &counts.failures.back();
    } else if (open && (match = panic.search(line))) {
      open->file = (*match)[1];
      open->line = static_cast<int>(to_int((*match)[2]));
      open->message = (*match)[3];
    } else if (open && open->message.empty() && !line.empty()) {
      open->message = line;
    }
  }
  return counts;
}

TestCounts parse_ctest_summary(std::string_view output) {
  TestCounts counts;
  const OutputRegex summary(R"((\d+)% tests passed, (\d+) tests? failed out of (\d+))");
  const OutputRegex failed(
      R"(^\s*\d+ - (.+) \((Failed|Timeout|SEGFAULT|Not Run|Subprocess aborted|Exception)\)$)");
  for (const auto& line : lines_of(output)) {
    std::optional<OutputRegex::Match> match;
    if ((match = summary.search(line))) {
      const int failed_count = to_int((*match)[2]), total = to_int((*match)[3]);
      // "1 tests failed out of 0" is not ctest's: it never counts more failures than tests.
      if (failed_count > total) continue;
      counts.failed = failed_count;
      counts.passed = total - failed_count;
      counts.parsed = true;
    } else if ((match = failed.match(line))) {
      counts.failures.push_back(
          TestFailure{(*match)[1], (*match)[2], "", std::nullopt, FailureKind::kFailure});
    }
  }
  return counts;
}

TestCounts parse_any_summary(std::string_view output) {
  for (auto parser : {&parse_go_json, &parse_pytest_summary, &parse_cargo_summary,
                      &parse_ctest_summary, &parse_tap_summary}) {
    TestCounts counts = parser(output);
    if (counts.parsed) return counts;
  }
  TestCounts counts;
  const std::string text(output);
  auto passed = count_before(text, "(?:passed|passing|tests? passed)");
  auto failed = count_before(text, "(?:failed|failing|tests? failed)");
  if (passed || failed) {
    counts.passed = passed.value_or(0);
    counts.failed = failed.value_or(0);
    counts.skipped = count_before(text, "(?:skipped|pending|ignored)").value_or(0);
    counts.parsed = true;
  }
  return counts;
}

}  // namespace benchtop::test_runs
