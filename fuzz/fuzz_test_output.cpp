// The test-output readers test_run relies on: the JUnit XML parser, every runner's summary parser
// and the source-location finder, on the same bytes. Never crashes; counts are never negative.
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_input.h"
#include "server/test_runs/parsers/junit_parser.h"
#include "server/test_runs/parsers/summary_parsers.h"
#include "server/test_runs/parsers/test_report.h"

using namespace benchtop::test_runs;

namespace {

void check(const TestCounts& counts) {
  if (counts.passed < 0 || counts.failed < 0 || counts.skipped < 0 || counts.errors < 0) {
    std::abort();
  }
  for (const TestFailure& failure : counts.failures) {
    (void)to_json(failure);
    if (failure.line && *failure.line < 0) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = benchtop::fuzz::as_text(data, size);
  if (auto junit = parse_junit(text)) check(*junit);
  for (auto parser : {parse_pytest_summary, parse_tap_summary, parse_go_json, parse_cargo_summary,
                      parse_ctest_summary, parse_any_summary}) {
    check(parser(text));
  }
  std::string file;
  int line = 0;
  const auto [preferred, rest] = benchtop::fuzz::first_line(text);
  if (find_location(std::string(rest), std::string(preferred), file, line) && line < 0) {
    std::abort();
  }
  return 0;
}
