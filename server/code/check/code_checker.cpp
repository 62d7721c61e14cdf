#include "server/code/check/code_checker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <tuple>

#include "common/text.h"
#include "server/code/check/compiler_output.h"
#include "server/code/check/node_output.h"
#include "server/code/check/python_output.h"
#include "server/code/check/shell_output.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/search/tree_walk.h"

namespace benchtop::code_check {
namespace {

using Clock = std::chrono::steady_clock;

// A project bigger than this is checked in part: the rest is named in `skipped`.
constexpr size_t kMaxFiles = 20'000;
// Each checker run keeps this much of each stream; a JSON report cut shorter cannot be read.
constexpr size_t kRunOutputLimit = 1024 * 1024;
constexpr size_t kShebangBytes = 128;
constexpr size_t kMaxCompileDatabaseBytes = 32 * 1024 * 1024;

// The first line of a regular file (up to kShebangBytes), read through the guard.
std::string first_line(const Workspace& workspace, const std::string& relative) {
  auto fd = workspace.open_at(relative, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (!fd) return "";
  char buffer[kShebangBytes];
  ssize_t n = 0;
  do {
    n = ::read(fd->get(), buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return "";
  std::string text(buffer, static_cast<size_t>(n));
  return text.substr(0, text.find('\n'));
}

bool has_extension(std::string_view relative) {
  const size_t slash = relative.rfind('/');
  const std::string_view name =
      slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  const size_t dot = name.rfind('.');
  return dot != std::string_view::npos && dot != 0;
}

bool exists(const Workspace& workspace, const char* relative) {
  auto found = workspace.stat_at(relative, false);
  return found && S_ISREG(found->st_mode);
}

// The guard's relative path without ".." components: checkers and results get the path the guard
// then checks, not one a symlinked directory could resolve differently inside the sandbox.
Result<std::string> normal_relative_path(const Workspace& workspace, const std::string& path) {
  auto relative = workspace.relative_path(path);
  if (!relative) return relative.take_error();
  std::string normal = std::filesystem::path(*relative).lexically_normal().generic_string();
  if (normal == ".") normal.clear();
  while (normal.ends_with('/')) normal.pop_back();
  if (normal == ".." || normal.starts_with("../")) {
    return path_error(path, EXDEV);  // climbs out of the root
  }
  return normal;
}

// Directories of installed dependencies, walked past even where no .gitignore names them: their
// code is not the project's, and a node_modules alone can hold tens of thousands of scripts.
// Named in `paths`, they are checked.
bool is_third_party(std::string_view name) {
  return name == "node_modules" || name == "__pycache__" || name == "venv" ||
         name == "site-packages";
}

// compile_commands.json where CMake and Meson users keep it: the root, or build/.
CompileDatabase read_compile_database(const Workspace& workspace) {
  for (const char* path : {"compile_commands.json", "build/compile_commands.json"}) {
    auto fd = workspace.open_at(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (!fd) continue;
    std::string text;
    char buffer[65536];
    while (text.size() <= kMaxCompileDatabaseBytes) {
      const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
    }
    if (text.size() > kMaxCompileDatabaseBytes) continue;  // too big to be worth reading
    return CompileDatabase::parse(text, workspace.root().string());
  }
  return {};
}

class Collector {
 public:
  Collector(const Workspace& workspace, std::vector<Skip>& skipped)
      : workspace_(workspace), skipped_(skipped) {}

  // `named`: the caller named this file, so a file of no known language is reported.
  void add(const std::string& relative, bool named) {
    // A file named in `paths` and also inside a directory there is checked once, and reported
    // when it cannot be checked whichever way it came first.
    const bool fresh = seen_.insert(relative).second;
    if (!fresh && !(named && named_.insert(relative).second)) return;
    if (named && fresh) named_.insert(relative);
    if (fresh && count_ >= kMaxFiles) {
      ++over_limit_;
      return;
    }
    Language language = language_of_name(relative);
    // Only a name without an extension ("configure", "bin/deploy") is worth opening for a
    // shebang: README.md is no script.
    if (language == Language::kNone && (named || !has_extension(relative))) {
      language = language_of_shebang(first_line(workspace_, relative));
    }
    if (language == Language::kNone) {
      if (named) skipped_.push_back(Skip::of_file(escape_path(relative), "unsupported file type"));
      return;
    }
    if (!fresh) return;  // queued already
    sources_.files[language].push_back(relative);
    ++count_;
  }

  SourceSet finish() {
    if (over_limit_ > 0) {
      skipped_.push_back(Skip::of_file(
          "(" + std::to_string(over_limit_) + " more files)",
          "over " + std::to_string(kMaxFiles) + " files: not checked; narrow with paths"));
    }
    sources_.has_go_mod = exists(workspace_, "go.mod");
    sources_.has_tsconfig = exists(workspace_, "tsconfig.json");
    if (!sources_.files[Language::kC].empty() || !sources_.files[Language::kCpp].empty()) {
      sources_.compile_database = read_compile_database(workspace_);
    }
    return std::move(sources_);
  }

 private:
  const Workspace& workspace_;
  std::vector<Skip>& skipped_;
  SourceSet sources_;
  std::set<std::string> seen_;
  std::set<std::string> named_;  // seen as a `paths` entry
  size_t count_ = 0;
  size_t over_limit_ = 0;
};

// The programs of `wanted` the sandbox has, asked in one run: `command -v` for each name.
Result<std::set<std::string>> probe(CommandRunner& runner,
                                    const std::optional<std::string>& project,
                                    const std::vector<std::string>& wanted,
                                    std::chrono::milliseconds timeout,
                                    const CancellationToken& cancellation, ExecResult& ran) {
  ExecRequest request;
  request.command = "for p in";
  for (const std::string& program : wanted) request.command += ' ' + shell_quote(program);
  request.command += "; do command -v \"$p\" >/dev/null 2>&1 && echo \"$p\"; done; exit 0";
  request.timeout = timeout;
  auto result = runner.run(project, request, cancellation);
  if (!result) return result.take_error();
  ran = *result;
  std::set<std::string> found;
  for (std::string_view line : split_lines(result->stdout_text)) {
    if (std::find(wanted.begin(), wanted.end(), line) != wanted.end()) found.emplace(line);
  }
  return found;
}

std::string seconds(std::chrono::milliseconds duration) {
  const auto whole = duration.count() / 1000;
  const auto tenths = (duration.count() % 1000) / 100;
  return std::to_string(whole) + (tenths ? "." + std::to_string(tenths) : "") + " s";
}

// What a run that reported nothing readable said, for the skip's reason.
std::string output_head(const ExecResult& result) {
  std::string text = result.stderr_text.empty() ? result.stdout_text : result.stderr_text;
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  return text;
}

std::string exit_status(const ExecResult& result) {
  return result.exit_code ? "exit code " + std::to_string(*result.exit_code)
                          : "signal " + std::to_string(result.signal.value_or(0));
}

// Why a run's report is not the whole story: killed at the deadline, or unreadable.
std::optional<std::string> unfinished(const ExecResult& result, bool readable,
                                      std::chrono::milliseconds timeout) {
  if (result.timed_out) {
    return "killed at the deadline after " + seconds(result.duration) + " (timeout " +
           seconds(timeout) + "); narrow with paths or raise timeout_seconds";
  }
  if (readable) return std::nullopt;
  if (result.stdout_elided_bytes > 0)
    return "its report was over the output limit; narrow with paths";
  return "its report could not be read (" + exit_status(result) + "): " + output_head(result);
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.severity, a.file, a.line, a.column) <
                            std::tie(b.severity, b.file, b.line, b.column);
                   });
}

}  // namespace

Result<SourceSet> collect_sources(const Workspace& workspace, const std::vector<std::string>& paths,
                                  std::vector<Skip>& skipped,
                                  const CancellationToken& cancellation) {
  Collector collector(workspace, skipped);
  const std::vector<std::string> starts = paths.empty() ? std::vector<std::string>{""} : paths;
  for (const std::string& path : starts) {
    auto relative = normal_relative_path(workspace, path);
    if (!relative) return relative.take_error();
    auto status = workspace.stat_at(*relative, true);
    if (!status) return status.take_error();
    if (S_ISREG(status->st_mode)) {
      collector.add(*relative, true);
      continue;
    }
    if (!S_ISDIR(status->st_mode)) {
      skipped.push_back(Skip::of_file(escape_path(*relative), "not a regular file or directory"));
      continue;
    }
    WalkOptions walk;
    walk.cancellation = cancellation;
    auto walked = walk_tree(workspace, *relative, walk, [&collector](const WalkEntry& entry) {
      if (entry.type == EntryType::kDirectory && is_third_party(entry.name)) {
        return WalkAction::kSkipChildren;
      }
      if (entry.type == EntryType::kFile) collector.add(std::string(entry.path), false);
      return WalkAction::kContinue;
    });
    if (!walked) return walked.take_error();
  }
  return collector.finish();
}

std::optional<std::vector<Diagnostic>> read_output(OutputFormat format, const std::string& tool,
                                                   const ExecResult& result) {
  const std::string both = result.stdout_text + "\n" + result.stderr_text;
  switch (format) {
    case OutputFormat::kCompiler:
      return parse_compiler_output(both, tool);
    case OutputFormat::kGoVet:
      return parse_compiler_output(both, tool, Severity::kError);
    case OutputFormat::kPythonCompile:
      return parse_python_compile_output(result.stdout_text);
    case OutputFormat::kRuff:
      if (result.stdout_elided_bytes > 0) return std::nullopt;
      return parse_ruff_json(result.stdout_text);
    case OutputFormat::kNodeCheck:
      return parse_node_check_output(both);
    case OutputFormat::kTsc:
      return parse_tsc_output(both);
    case OutputFormat::kShellcheck:
      if (result.stdout_elided_bytes > 0) return std::nullopt;
      return parse_shellcheck_json(result.stdout_text);
    case OutputFormat::kBashSyntax:
      return parse_bash_syntax_output(both);
  }
  return std::nullopt;
}

Result<CheckReport> check_code(const Workspace& workspace, CommandRunner& runner,
                               const std::optional<std::string>& project,
                               const CheckRequest& request, const CancellationToken& cancellation) {
  // Fixed before anything runs: nothing in the workspace can move it.
  const auto deadline = Clock::now() + request.timeout;
  auto remaining = [deadline] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  };
  CheckReport report;
  auto sources = collect_sources(workspace, request.paths, report.skipped, cancellation);
  if (!sources) return sources.take_error();
  if (cancellation.cancelled()) {
    report.cancelled = true;
    return report;
  }
  const std::vector<std::string> wanted = wanted_programs(*sources);
  std::set<std::string> available;
  if (!wanted.empty()) {
    ExecResult probed;
    auto found = probe(runner, project, wanted, remaining(), cancellation, probed);
    if (!found) return found.take_error();
    if (probed.cancelled) {
      report.cancelled = true;
      return report;
    }
    if (probed.timed_out) {
      report.timed_out = true;
      report.skipped.push_back(Skip::of_file(
          "(all files)",
          "the sandbox did not answer within the " + seconds(request.timeout) + " timeout"));
      return report;
    }
    available = std::move(found).value();
  }
  CheckPlan plan = plan_checks(*sources, available);
  for (Skip& skip : plan.skipped) report.skipped.push_back(std::move(skip));

  const std::string host_root = workspace.root().string();
  for (const CheckerRun& run : plan.runs) {
    if (remaining() <= std::chrono::milliseconds(0)) {
      report.timed_out = true;
      report.skipped.push_back(
          Skip::of_tool(run.tool, std::to_string(run.file_count) + " files not checked: the " +
                                      seconds(request.timeout) + " timeout ran out"));
      continue;
    }
    ExecRequest exec;
    exec.command = run.command;
    exec.env = run.env;
    exec.env["NO_COLOR"] = "1";
    exec.env["LC_ALL"] = "C";  // untranslated messages, plain quotes
    exec.timeout = remaining();
    exec.output_limit = kRunOutputLimit;
    auto ran = runner.run(project, exec, cancellation);
    if (!ran) return ran.take_error();
    if (ran->cancelled) {
      report.cancelled = true;
      return report;
    }
    auto diagnostics = read_output(run.format, run.tool, *ran);
    if (auto problem = unfinished(*ran, diagnostics.has_value(), request.timeout)) {
      if (ran->timed_out) report.timed_out = true;
      report.skipped.push_back(Skip::of_tool(
          run.tool, std::to_string(run.file_count) + " files not fully checked: " + *problem));
    } else if (diagnostics->empty() && ran->exit_code.value_or(1) != 0) {
      // A checker that failed without a word we could read must not look like a pass.
      report.skipped.push_back(
          Skip::of_tool(run.tool, "it failed (" + exit_status(*ran) +
                                      ") and reported nothing readable: " + output_head(*ran)));
    } else {
      report.checked[run.tool] += run.file_count;
    }
    if (!diagnostics) continue;
    for (Diagnostic& diagnostic : *diagnostics) {
      ++(diagnostic.severity == Severity::kError     ? report.errors
         : diagnostic.severity == Severity::kWarning ? report.warnings
                                                     : report.infos);
      if (report.diagnostics.size() >= kMaxDiagnostics) {
        ++report.dropped;
        continue;
      }
      diagnostic.file = relative_file(diagnostic.file, host_root);
      report.diagnostics.push_back(std::move(diagnostic));
    }
  }
  sort_diagnostics(report.diagnostics);
  return report;
}

}  // namespace benchtop::code_check
