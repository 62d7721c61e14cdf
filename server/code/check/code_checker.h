// code_check's work: find the files to check beneath the workspace guard, ask the project's
// sandbox which checkers it has, run them there under one deadline, and read their output into
// workspace-relative diagnostics.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/code/check/check_plan.h"
#include "server/code/check/diagnostic.h"
#include "server/process/command_runner.h"
#include "server/workspace/workspace.h"

namespace benchtop::code_check {

// Diagnostics kept in memory for one check; the rest are counted only.
inline constexpr size_t kMaxDiagnostics = 20'000;

struct CheckRequest {
  std::vector<std::string> paths;  // files or directories as the caller wrote them; none: all
  std::chrono::milliseconds timeout{120'000};  // for the whole check, probe included
};

struct CheckReport {
  std::vector<Diagnostic> diagnostics;  // errors first, then warnings, then the rest; by place
  // Every diagnostic by severity, those past kMaxDiagnostics (not kept) included.
  size_t errors = 0, warnings = 0, infos = 0;
  size_t dropped = 0;                     // past kMaxDiagnostics
  std::map<std::string, size_t> checked;  // files each checker finished
  std::vector<Skip> skipped;
  bool timed_out = false;  // the deadline killed a checker or left some unrun
  bool cancelled = false;
};

// Refuses (as an Error) a path outside the workspace or one that does not exist; a file of no
// known language, or not a regular file, is skipped with the reason. Checkers run through
// `runner` in `project`'s sandbox, each killed when the deadline comes.
Result<CheckReport> check_code(const Workspace& workspace, CommandRunner& runner,
                               const std::optional<std::string>& project,
                               const CheckRequest& request, const CancellationToken& cancellation);

// The files of `request.paths` by language (exposed for tests).
Result<SourceSet> collect_sources(const Workspace& workspace, const std::vector<std::string>& paths,
                                  std::vector<Skip>& skipped,
                                  const CancellationToken& cancellation = {});

// A checker run's output as diagnostics; std::nullopt when a report that must be whole (JSON)
// could not be read.
std::optional<std::vector<Diagnostic>> read_output(OutputFormat format, const std::string& tool,
                                                   const ExecResult& result);

}  // namespace benchtop::code_check
