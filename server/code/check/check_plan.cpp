#include "server/code/check/check_plan.h"

#include <functional>

#include "common/text.h"
#include "server/code/check/python_output.h"

namespace benchtop::code_check {
namespace {

const std::vector<std::string>& programs_for(Language language) {
  static const std::map<Language, std::vector<std::string>> kPrograms = {
      {Language::kPython, {"ruff", "python3"}},
      {Language::kJavaScript, {"node"}},
      {Language::kTypeScript, {"tsc"}},
      {Language::kShell, {"shellcheck", "bash"}},
      {Language::kC, {"gcc", "clang"}},
      {Language::kCpp, {"g++", "clang++"}},
      {Language::kGo, {"go"}},
      {Language::kRust, {}}};
  static const std::vector<std::string> kNone;
  auto found = kPrograms.find(language);
  return found == kPrograms.end() ? kNone : found->second;
}

std::string first_available(Language language, const std::set<std::string>& available) {
  for (const std::string& program : programs_for(language)) {
    if (available.count(program)) return program;
  }
  return "";
}

std::string directory_of(std::string_view relative) {
  const size_t slash = relative.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(relative.substr(0, slash));
}

// Runs of `head` followed by as many file arguments as fit under kMaxCommandBytes.
void add_batched(CheckPlan& plan, CheckerRun base, const std::string& head,
                 const std::vector<std::string>& files) {
  size_t next = 0;
  while (next < files.size()) {
    CheckerRun run = base;
    run.command = head;
    do {
      run.command += ' ' + path_argument(files[next]);
      ++run.file_count;
      ++next;
    } while (next < files.size() &&
             run.command.size() + files[next].size() * 4 + 8 < kMaxCommandBytes);
    plan.runs.push_back(std::move(run));
  }
}

// Runs of one command per file (`per_file` spells it), under kMaxCommandBytes each. The run
// fails when any file's command failed.
void add_per_file(CheckPlan& plan, CheckerRun base, const std::vector<std::string>& files,
                  const std::function<std::string(const std::string&)>& per_file) {
  size_t next = 0;
  while (next < files.size()) {
    CheckerRun run = base;
    run.command = "s=0;";
    do {
      run.command += ' ' + per_file(files[next]) + " || s=1;";
      ++run.file_count;
      ++next;
    } while (next < files.size() &&
             run.command.size() + per_file(files[next]).size() + 16 < kMaxCommandBytes);
    run.command += " exit $s";
    plan.runs.push_back(std::move(run));
  }
}

// The syntax check of one C or C++ file: with its flags from compile_commands.json when it has an
// entry there, else with its own directory and the project root as include directories.
std::string compile_command(const std::string& compiler, const std::string& file,
                            const CompileDatabase& database) {
  // The source excerpts under each diagnostic are left out: only the diagnostic lines are read.
  const bool clang = compiler.starts_with("clang");
  std::string command = compiler + " -fsyntax-only -fdiagnostics-color=never " +
                        (clang ? "-fno-caret-diagnostics" : "-fno-diagnostics-show-caret");
  if (auto flags = database.flags_for(file)) {
    for (const std::string& flag : *flags) command += ' ' + flag;
  } else {
    const std::string directory = directory_of(file);
    if (!directory.empty()) command += " -I" + path_argument(directory);
    command += " -I.";
  }
  return command + ' ' + path_argument(file);
}

// Go's package directories of `files` ("." for the root), each once.
std::vector<std::string> go_packages(const std::vector<std::string>& files) {
  std::set<std::string> directories;
  for (const std::string& file : files) directories.insert(directory_of(file));
  std::vector<std::string> packages;
  for (const std::string& directory : directories) {
    packages.push_back(directory.empty() ? "." : path_argument(directory));
  }
  return packages;
}

void plan_language(CheckPlan& plan, Language language, const std::vector<std::string>& files,
                   const SourceSet& sources, const std::set<std::string>& available) {
  const std::string name(language_name(language));
  const std::string program = first_available(language, available);
  if (language == Language::kRust) {
    // cargo check compiles build scripts and procedural macros and runs them: project code,
    // which a read-only check must not run.
    plan.skipped.push_back(
        Skip::of_language(name,
                          "not checked: cargo check runs the project's build scripts; "
                          "use test_run or shell_exec `cargo check`"));
    return;
  }
  if (program.empty()) {
    std::string wanted;
    for (const std::string& candidate : programs_for(language)) {
      wanted += (wanted.empty() ? "" : " or ") + candidate;
    }
    plan.skipped.push_back(
        Skip::of_language(name, "no checker in the sandbox (" + wanted + " not found)"));
    return;
  }
  CheckerRun base;
  base.tool = program;
  switch (language) {
    case Language::kPython:
      if (program == "ruff") {
        base.format = OutputFormat::kRuff;
        add_batched(plan, base, "ruff check --output-format=json --no-cache --quiet --", files);
      } else {
        base.format = OutputFormat::kPythonCompile;
        add_batched(plan, base, "python3 -B -I -c " + shell_quote(kPythonCompileScript), files);
      }
      return;
    case Language::kJavaScript:
      base.format = OutputFormat::kNodeCheck;
      add_per_file(plan, base, files,
                   [](const std::string& file) { return "node --check " + path_argument(file); });
      return;
    case Language::kTypeScript:
      if (!sources.has_tsconfig) {
        plan.skipped.push_back(
            Skip::of_language(name,
                              "not checked: tsc checks a project, and there is no "
                              "tsconfig.json at the project root"));
        return;
      }
      base.format = OutputFormat::kTsc;
      base.command = "tsc --noEmit --pretty false --incremental false -p .";
      base.file_count = files.size();
      plan.runs.push_back(std::move(base));
      return;
    case Language::kShell:
      if (program == "shellcheck") {
        base.format = OutputFormat::kShellcheck;
        add_batched(plan, base, "shellcheck -f json1 --", files);
      } else {
        base.format = OutputFormat::kBashSyntax;
        add_per_file(plan, base, files,
                     [](const std::string& file) { return "bash -n " + path_argument(file); });
      }
      return;
    case Language::kC:
    case Language::kCpp:
      base.format = OutputFormat::kCompiler;
      add_per_file(plan, base, files, [&program, &sources](const std::string& file) {
        return compile_command(program, file, sources.compile_database);
      });
      return;
    case Language::kGo: {
      if (!sources.has_go_mod) {
        plan.skipped.push_back(
            Skip::of_language(name, "not checked: go vet needs a go.mod at the project root"));
        return;
      }
      base.format = OutputFormat::kGoVet;
      // Caches go to the sandbox's private /tmp, and nothing is downloaded or upgraded.
      base.env = {{"GOCACHE", "/tmp/benchtop-code-check/go-cache"},
                  {"GOPROXY", "off"},
                  {"GOTOOLCHAIN", "local"}};
      base.command = "go vet";
      for (const std::string& package : go_packages(files)) base.command += ' ' + package;
      base.file_count = files.size();
      plan.runs.push_back(std::move(base));
      return;
    }
    default:
      return;
  }
}

}  // namespace

std::vector<std::string> wanted_programs(const SourceSet& sources) {
  std::vector<std::string> programs;
  for (const auto& [language, files] : sources.files) {
    if (files.empty()) continue;
    for (const std::string& program : programs_for(language)) programs.push_back(program);
  }
  return programs;
}

CheckPlan plan_checks(const SourceSet& sources, const std::set<std::string>& available) {
  CheckPlan plan;
  for (const auto& [language, files] : sources.files) {
    if (!files.empty()) plan_language(plan, language, files, sources, available);
  }
  return plan;
}

std::string path_argument(std::string_view relative) {
  return shell_quote("./" + std::string(relative));
}

}  // namespace benchtop::code_check
