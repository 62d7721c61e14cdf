#include "server/test_runs/runner_detection.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/text.h"

namespace benchtop::test_runs {
namespace {

constexpr size_t kMaxConfigBytes = 256 * 1024;

bool exists(const Workspace& workspace, const std::string& relative, bool directory = false) {
  auto status = workspace.stat_at(relative, /*follow_final_symlink=*/true);
  return status && (!directory || S_ISDIR(status->st_mode));
}

std::string read_small(const Workspace& workspace, const std::string& relative) {
  auto fd = workspace.open_at(relative, O_RDONLY);
  if (!fd) return "";
  std::string content(kMaxConfigBytes, '\0');
  const ssize_t n = ::read(fd->get(), content.data(), content.size());
  content.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return content;
}

// True when the directory holds a file whose name matches `predicate`.
template <typename Predicate>
bool any_file(const Workspace& workspace, const std::string& directory, Predicate predicate) {
  auto fd = workspace.open_at(directory, O_RDONLY | O_DIRECTORY);
  if (!fd) return false;
  DIR* dir = ::fdopendir(fd->release());
  if (!dir) return false;
  bool found = false;
  while (dirent* entry = ::readdir(dir)) {
    if (predicate(std::string_view(entry->d_name))) {
      found = true;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

bool python_test_name(std::string_view name) {
  return name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"));
}

bool node_test_name(std::string_view name) {
  for (std::string_view suffix :
       {".test.js", ".test.mjs", ".test.cjs", "_test.js", "-test.js", ".spec.js", ".test.ts"}) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

std::string joined_paths(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& path : paths) out += " " + shell_quote(path);
  return out;
}

std::optional<TestPlan> detect_pytest(const Workspace& workspace,
                                      const std::vector<std::string>& paths) {
  std::string why;
  if (exists(workspace, "pytest.ini"))
    why = "pytest.ini";
  else if (exists(workspace, "conftest.py"))
    why = "conftest.py";
  else if (read_small(workspace, "pyproject.toml").find("pytest") != std::string::npos)
    why = "pyproject.toml mentions pytest";
  else if (read_small(workspace, "setup.cfg").find("pytest") != std::string::npos)
    why = "setup.cfg mentions pytest";
  else if (any_file(workspace, "", python_test_name))
    why = "test_*.py files";
  else if (any_file(workspace, "tests", python_test_name))
    why = "tests/test_*.py files";
  else
    return std::nullopt;
  TestPlan plan;
  plan.runner = "pytest";
  plan.detection = "pytest (" + why + ")";
  // xunit1 records each test's file in the report; the path is absolute so that a rootdir
  // elsewhere does not move it.
  plan.command = "mkdir -p " + std::string(kJunitDirectory) +
                 " && { if command -v pytest >/dev/null 2>&1; then pytest \"$@\"; else python3 -m "
                 "pytest \"$@\"; fi; }";
  plan.command = "set -- -o junit_family=xunit1 --junitxml=\"$PWD/" + std::string(kJunitFile) +
                 "\" -rfE" + joined_paths(paths) + "; " + plan.command;
  plan.writes_junit = true;
  return plan;
}

std::optional<TestPlan> detect_node(const Workspace& workspace,
                                    const std::vector<std::string>& paths) {
  const std::string package = read_small(workspace, "package.json");
  if (!package.empty()) {
    auto parsed = nlohmann::json::parse(package, nullptr, false);
    if (parsed.is_object() && parsed.contains("scripts") && parsed["scripts"].is_object() &&
        parsed["scripts"].contains("test") && parsed["scripts"]["test"].is_string()) {
      const std::string script = parsed["scripts"]["test"];
      if (script.find("no test specified") == std::string::npos) {
        TestPlan plan;
        plan.runner = "npm";
        plan.detection = "npm test (package.json scripts.test: " + script + ")";
        plan.command = "npm test --silent" + (paths.empty() ? "" : " --" + joined_paths(paths));
        return plan;
      }
    }
  }
  const bool has_tests = any_file(workspace, "", node_test_name) ||
                         exists(workspace, "test", true) ||
                         any_file(workspace, "tests", node_test_name);
  if (package.empty() && !has_tests) return std::nullopt;
  if (!has_tests) return std::nullopt;
  TestPlan plan;
  plan.runner = "node";
  plan.detection = "node --test (" +
                   std::string(package.empty() ? "*.test.js files"
                                               : "package.json without a test "
                                                 "script") +
                   ")";
  plan.command = "mkdir -p " + std::string(kJunitDirectory) +
                 " && node --test --test-reporter=tap --test-reporter-destination=stdout "
                 "--test-reporter=junit --test-reporter-destination=" +
                 std::string(kJunitFile) + joined_paths(paths);
  plan.writes_junit = true;
  return plan;
}

std::optional<TestPlan> detect_go(const Workspace& workspace,
                                  const std::vector<std::string>& paths) {
  if (!exists(workspace, "go.mod")) return std::nullopt;
  std::string packages = "./...";
  if (!paths.empty()) {
    packages.clear();
    for (const auto& path : paths) packages += " " + shell_quote("./" + path + "/...");
  }
  TestPlan plan;
  plan.runner = "go";
  plan.detection =
      "go test (go.mod); JUnit through go-junit-report when installed, else go "
      "test -json";
  plan.command = "if command -v go-junit-report >/dev/null 2>&1; then mkdir -p " +
                 std::string(kJunitDirectory) + " && go test -v " + packages +
                 " 2>&1 | go-junit-report -set-exit-code -iocopy -out " + kJunitFile +
                 "; else go test -json " + packages + "; fi";
  plan.writes_junit = true;
  return plan;
}

std::optional<TestPlan> detect_cargo(const Workspace& workspace,
                                     const std::vector<std::string>& paths) {
  if (!exists(workspace, "Cargo.toml")) return std::nullopt;
  TestPlan plan;
  plan.runner = "cargo";
  plan.detection = "cargo test (Cargo.toml)";
  plan.command = "cargo test" + (paths.empty() ? "" : " --" + joined_paths(paths));
  return plan;
}

std::optional<TestPlan> detect_ctest(const Workspace& workspace) {
  std::string build_dir;
  for (const char* candidate : {"build", "out/build", "cmake-build-debug", "."}) {
    if (exists(workspace, std::string(candidate) + "/CTestTestfile.cmake")) {
      build_dir = candidate;
      break;
    }
  }
  const bool has_cmake = exists(workspace, "CMakeLists.txt");
  if (build_dir.empty() && !has_cmake) return std::nullopt;
  TestPlan plan;
  plan.runner = "ctest";
  const std::string junit = " --output-junit \"$PWD/" + std::string(kJunitFile) + "\"";
  if (build_dir.empty()) {
    plan.detection = "ctest (CMakeLists.txt; configured and built into build/ first)";
    plan.command = "mkdir -p " + std::string(kJunitDirectory) +
                   " && cmake -S . -B build >/dev/null && cmake --build build && ctest "
                   "--test-dir build --output-on-failure" +
                   junit;
  } else {
    plan.detection = "ctest (" + build_dir + "/CTestTestfile.cmake)";
    plan.command = "mkdir -p " + std::string(kJunitDirectory) + " && ctest --test-dir " +
                   shell_quote(build_dir) + " --output-on-failure" + junit;
  }
  plan.writes_junit = true;
  return plan;
}

std::optional<TestPlan> detect_make(const Workspace& workspace) {
  const std::string makefile = read_small(workspace, "Makefile");
  if (makefile.find("\ntest:") == std::string::npos && !makefile.starts_with("test:")) {
    return std::nullopt;
  }
  TestPlan plan;
  plan.runner = "make";
  plan.detection = "make test (Makefile has a test target)";
  plan.command = "make test";
  return plan;
}

}  // namespace

Result<TestPlan> plan_test_run(const Workspace& workspace,
                               const std::optional<std::string>& command,
                               const std::vector<std::string>& paths) {
  std::vector<std::string> checked;
  for (const auto& path : paths) {
    if (!path.empty() && path.front() == '-') {
      return Error::make("Refused path '" + path +
                             "': values starting with '-' could be read as "
                             "options.",
                         "invalid_argument");
    }
    auto relative = workspace.relative_path(path);
    if (!relative) return relative.take_error();
    auto status = workspace.stat_at(*relative, /*follow_final_symlink=*/true);
    if (!status) return status.take_error();
    checked.push_back(relative->empty() ? "." : *relative);
  }
  if (command) {
    TestPlan plan;
    plan.runner = "custom";
    plan.detection = "the given command";
    plan.command = *command + joined_paths(checked);
    return plan;
  }
  if (auto plan = detect_pytest(workspace, checked)) return *plan;
  if (auto plan = detect_node(workspace, checked)) return *plan;
  if (auto plan = detect_go(workspace, checked)) return *plan;
  if (auto plan = detect_cargo(workspace, checked)) return *plan;
  if (auto plan = detect_ctest(workspace)) return *plan;
  if (auto plan = detect_make(workspace)) return *plan;
  return Error::make(
      "No test runner detected: looked for pytest (pytest.ini, conftest.py, pyproject.toml, "
      "test_*.py), node (package.json test script, *.test.js), go.mod, Cargo.toml, CMake "
      "(CTestTestfile.cmake, CMakeLists.txt) and a Makefile test target. Pass `command` with "
      "the project's test command.",
      "no_runner");
}

}  // namespace benchtop::test_runs
