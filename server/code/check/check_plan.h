// Which checker runs over which files: chosen by language from the programs the sandbox has,
// each run a command for `/bin/sh -c` in the workspace root. File names reach the commands
// quoted and as "./relative/path", so none can be read as an option.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/code/check/compile_database.h"
#include "server/code/check/languages.h"

namespace benchtop::code_check {

// What the checkers are asked to look at.
struct SourceSet {
  std::map<Language, std::vector<std::string>> files;  // workspace-relative paths, by language
  bool has_go_mod = false;                             // go.mod at the workspace root
  bool has_tsconfig = false;                           // tsconfig.json at the workspace root
  // The flags of compile_commands.json (at the root or in build/), for the C/C++ files it names.
  CompileDatabase compile_database;
};

// How a run's output is read (one parser each, in this folder).
enum class OutputFormat {
  kCompiler,
  kGoVet,
  kPythonCompile,
  kRuff,
  kNodeCheck,
  kTsc,
  kShellcheck,
  kBashSyntax
};

struct CheckerRun {
  std::string tool;     // the program, as `checked` and diagnostics name it
  std::string command;  // for /bin/sh -c in the workspace root
  std::map<std::string, std::string> env;
  size_t file_count = 0;  // files this run checks
  OutputFormat format = OutputFormat::kCompiler;
};

// What was not checked and why: a file, a whole language, or a checker's run (one is set).
struct Skip {
  std::string file;
  std::string language;
  std::string tool;
  std::string reason;

  static Skip of_file(std::string file, std::string reason) {
    return {std::move(file), {}, {}, std::move(reason)};
  }
  static Skip of_language(std::string language, std::string reason) {
    return {{}, std::move(language), {}, std::move(reason)};
  }
  static Skip of_tool(std::string tool, std::string reason) {
    return {{}, {}, std::move(tool), std::move(reason)};
  }
};

struct CheckPlan {
  std::vector<CheckerRun> runs;
  std::vector<Skip> skipped;
};

// A command stays under this many bytes (Linux refuses one argument over 128 KiB); more files
// make more runs.
inline constexpr size_t kMaxCommandBytes = 64 * 1024;

// The programs worth probing for in the sandbox, given the languages present.
std::vector<std::string> wanted_programs(const SourceSet& sources);

// The runs for `sources`, using only `available` programs; a language without one is skipped
// with the reason.
CheckPlan plan_checks(const SourceSet& sources, const std::set<std::string>& available);

// A workspace-relative path as a command argument: "./path", quoted.
std::string path_argument(std::string_view relative);

}  // namespace benchtop::code_check
