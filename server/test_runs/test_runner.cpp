#include "server/test_runs/test_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "server/test_runs/parsers/junit_parser.h"
#include "server/test_runs/parsers/summary_parsers.h"
#include "server/test_runs/runner_detection.h"

namespace benchtop::test_runs {
namespace {

constexpr size_t kTailBytes = 4000;
constexpr size_t kMaxJunitBytes = 16 * 1024 * 1024;

// The guard refuses a FIFO or device planted at the report's path (the tests run by code we do not
// trust), so this read ends at the end of a regular file.
std::optional<std::string> read_junit(const Workspace& workspace) {
  auto fd = workspace.open_at(kJunitFile, O_RDONLY | O_NOFOLLOW);
  if (!fd) return std::nullopt;
  std::string content;
  char buffer[65536];
  while (content.size() < kMaxJunitBytes) {
    const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

// Removes the report and its directory (when empty) so the workspace is left as it was.
void remove_junit(const Workspace& workspace) {
  if (auto parent = workspace.open_parent(kJunitFile)) {
    ::unlinkat(parent->first.get(), parent->second.c_str(), 0);
  }
  if (auto parent = workspace.open_parent(kJunitDirectory)) {
    ::unlinkat(parent->first.get(), parent->second.c_str(), AT_REMOVEDIR);
  }
}

std::string tail(const std::string& text) {
  if (text.size() <= kTailBytes) return text;
  size_t start = text.size() - kTailBytes;
  while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
  return "…" + text.substr(start);
}

// File paths in reports are absolute inside the container (/workspace/...) or on the host: show
// them relative to the project root.
void relativize(TestCounts& counts, const Workspace& workspace) {
  const std::string host = workspace.root().string() + "/";
  for (auto& failure : counts.failures) {
    for (const std::string& prefix : {std::string("/workspace/"), host}) {
      if (failure.file.starts_with(prefix)) failure.file.erase(0, prefix.size());
    }
    if (failure.file.starts_with("./")) failure.file.erase(0, 2);
  }
}

}  // namespace

TestCounts interpret_output(const std::string& runner, const std::string& output,
                            const std::optional<std::string>& junit, CountSource& source) {
  if (junit && !junit->empty()) {
    auto parsed = parse_junit(*junit);
    if (parsed && parsed->parsed) {
      source = CountSource::kJunit;
      return std::move(parsed).value();
    }
  }
  TestCounts counts;
  if (runner == "pytest")
    counts = parse_pytest_summary(output);
  else if (runner == "node" || runner == "npm")
    counts = parse_tap_summary(output);
  else if (runner == "go")
    counts = parse_go_json(output);
  else if (runner == "cargo")
    counts = parse_cargo_summary(output);
  else if (runner == "ctest")
    counts = parse_ctest_summary(output);
  if (!counts.parsed) counts = parse_any_summary(output);
  source = runner == "go" && counts.parsed ? CountSource::kGoJson : CountSource::kSummary;
  return counts;
}

Result<TestReport> run_tests(const Workspace& workspace, CommandRunner& runner,
                             const std::optional<std::string>& project,
                             const TestRunRequest& request, const CancellationToken& cancellation,
                             const OutputSink& on_output) {
  auto plan = plan_test_run(workspace, request.command, request.paths);
  if (!plan) return plan.take_error();
  if (plan->writes_junit) remove_junit(workspace);  // never read a previous run's report

  ExecRequest exec;
  exec.command = plan->command;
  exec.timeout = request.timeout;
  exec.output_limit = 512 * 1024;
  exec.env["CI"] = "1";  // runners stop prompting and colouring
  exec.env["NO_COLOR"] = "1";
  auto ran = runner.run(project, exec, cancellation, on_output);
  if (!ran) return ran.take_error();

  TestReport report;
  report.runner = plan->runner;
  report.command = plan->command;
  report.detection = plan->detection;
  report.exit_code = ran->exit_code;
  report.timed_out = ran->timed_out;
  report.cancelled = ran->cancelled;
  report.duration_ms = ran->duration.count();
  const std::string output =
      ran->stdout_text + (ran->stderr_text.empty() ? "" : "\n") + ran->stderr_text;
  report.output_tail = tail(output);
  const std::optional<std::string> junit =
      plan->writes_junit ? read_junit(workspace) : std::nullopt;
  if (plan->writes_junit) remove_junit(workspace);
  report.counts = interpret_output(plan->runner, output, junit, report.source);
  relativize(report.counts, workspace);

  // A run that failed without any failing test (a syntax error, a missing tool, a timeout) is
  // an error of its own, so the result never looks green when the command was not.
  const bool command_failed = !ran->exit_code || *ran->exit_code != 0;
  if (command_failed && report.counts.failed == 0 && report.counts.errors == 0) {
    report.counts.errors = 1;
    TestFailure failure;
    failure.kind = FailureKind::kError;
    failure.name = "(test command)";
    failure.message =
        ran->timed_out   ? "timed out after " + std::to_string(request.timeout.count()) + " ms"
        : ran->cancelled ? "cancelled"
        : ran->exit_code ? "exited with code " + std::to_string(*ran->exit_code) +
                               " without a failing test; see output_tail"
                         : "killed by signal " + std::to_string(ran->signal.value_or(0));
    report.counts.failures.push_back(std::move(failure));
  }
  return report;
}

}  // namespace benchtop::test_runs
