// code_check through the registry on a real sandbox: real checkers (whichever the machine has) on
// a sample project with one error per language, and the refusals: a path out of the workspace, a
// missing path, a file of no known language, and a checker that hangs past the timeout.
#include "tools/code/code_check_tool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/sandbox_test_support.h"
#include "tests/support/tool_list_support.h"

namespace benchtop::testing {
namespace {

using nlohmann::json;

// The sandbox sees the host's /usr, so a checker there is one it has.
bool have(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0 &&
         std::system(("test -x /usr/bin/" + program).c_str()) == 0;
}

class CodeCheckToolTest : public SandboxToolFixture {
 protected:
  void SetUp() override {
    SandboxToolFixture::SetUp();
    if (IsSkipped()) return;
    registry_.add(code_check_tool(*projects_, *manager_));
  }

  void write(const std::string& relative, const std::string& content) {
    const auto path = alpha_.root / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << content;
  }

  // The diagnostic at `file` from `tool`, or null.
  static const json* find(const json& out, const std::string& file, const std::string& tool) {
    for (const json& diagnostic : out["diagnostics"]) {
      if (diagnostic["file"] == file && diagnostic["tool"] == tool) return &diagnostic;
    }
    return nullptr;
  }

  ToolResult check(json arguments) {
    arguments["project"] = "alpha";
    return call("code_check", arguments);
  }
};

TEST_F(CodeCheckToolTest, FindsAnErrorInEachLanguage) {
  for (const char* program : {"python3", "node", "bash", "g++"}) {
    if (!have(program)) GTEST_SKIP() << program << " is not installed in /usr/bin";
  }
  write("app/bad.py", "import os\n\ndef f(:\n    pass\n");
  write("app/good.py", "x = 1\n");
  write("web/bad.js", "const a = 1;\nlet b = (2;\n");
  write("web/good.mjs", "export const a = 1;\n");
  write("scripts/bad.sh", "#!/bin/sh\nif true; then\n  echo hi\n");
  write("scripts/tool", "#!/usr/bin/env bash\necho fine\n");  // a script by its shebang
  write("src/bad.cpp", "int main() {\n  int x = ;\n  return 0;\n}\n");
  write("src/inc/good.h", "#pragma once\nint f();\n");
  write("README.md", "# not code\n");

  auto result = check({});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const json& out = *result.structured;
  EXPECT_FALSE(out["ok"]);
  EXPECT_EQ(out["timed_out"], false);

  const json* python = find(out, "app/bad.py", "python3");
  if (!python) python = find(out, "app/bad.py", "ruff");
  ASSERT_NE(python, nullptr) << out.dump(2);
  EXPECT_EQ((*python)["line"], 3);
  EXPECT_EQ((*python)["severity"], "error");

  const json* js = find(out, "web/bad.js", "node");
  ASSERT_NE(js, nullptr) << out.dump(2);
  EXPECT_EQ((*js)["line"], 2);
  EXPECT_NE((*js)["message"].get<std::string>().find("SyntaxError"), std::string::npos);

  const std::string shell = have("shellcheck") ? "shellcheck" : "bash";
  const json* sh = find(out, "scripts/bad.sh", shell);
  ASSERT_NE(sh, nullptr) << out.dump(2);
  EXPECT_EQ((*sh)["severity"], "error");

  const json* cpp = find(out, "src/bad.cpp", "g++");
  ASSERT_NE(cpp, nullptr) << out.dump(2);
  EXPECT_EQ((*cpp)["line"], 2);
  EXPECT_EQ((*cpp)["column"], 11);

  // Every file of a known language was checked, and nothing else was reported.
  EXPECT_EQ(out["checked"]["node"], 2);
  EXPECT_EQ(out["checked"]["g++"], 2);
  EXPECT_EQ(out["checked"][shell], 2);
  for (const json& diagnostic : out["diagnostics"]) {
    const std::string file = diagnostic["file"];
    EXPECT_TRUE(file.find("bad") != std::string::npos || diagnostic["severity"] != "error")
        << diagnostic.dump();
  }
  // The workspace is as it was: no bytecode, no caches.
  EXPECT_FALSE(std::filesystem::exists(alpha_.root / "app/__pycache__"));
  const std::string text = text_of(result);
  EXPECT_NE(text.find("src/bad.cpp:2:11: error:"), std::string::npos) << text;
  EXPECT_NE(text.find("[node]"), std::string::npos) << text;
}

// The include directories and macros of compile_commands.json are used; without it, a header
// outside the file's own directory and the root is not found.
TEST_F(CodeCheckToolTest, CompileCommandsGiveIncludesAndMacros) {
  if (!have("g++")) GTEST_SKIP() << "g++ is not installed in /usr/bin";
  write("include/defs.h", "#pragma once\nconstexpr int kAnswer = 42;\n");
  write("src/a.cpp",
        "#include \"defs.h\"\n#ifndef FEATURE\n#error FEATURE is not defined\n#endif\n"
        "int main() { return kAnswer; }\n");
  auto without = check({{"paths", {"src"}}});
  ASSERT_FALSE(without.is_error) << text_of(without);
  ASSERT_NE(find(*without.structured, "src/a.cpp", "g++"), nullptr) << without.structured->dump(2);

  write("build/compile_commands.json", R"json([{"directory": ")json" + alpha_.root.string() +
                                           R"json(/build", "file": "../src/a.cpp",
                "command": "/usr/bin/c++ -I../include -DFEATURE=1 -fplugin=./x.so -c ../src/a.cpp"}])json");
  auto with = check({{"paths", {"src"}}});
  ASSERT_FALSE(with.is_error) << text_of(with);
  EXPECT_TRUE((*with.structured)["diagnostics"].empty()) << with.structured->dump(2);
  EXPECT_EQ((*with.structured)["ok"], true);
}

TEST_F(CodeCheckToolTest, PathsNarrowTheCheck) {
  if (!have("python3")) GTEST_SKIP() << "python3 is not installed in /usr/bin";
  write("a/bad.py", "def f(:\n");
  write("b/bad.py", "def g(:\n");
  auto result = check({{"paths", {"a"}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const json& out = *result.structured;
  ASSERT_EQ(out["diagnostics"].size(), 1u) << out.dump(2);
  EXPECT_EQ(out["diagnostics"][0]["file"], "a/bad.py");

  auto clean = check({{"paths", {"a/../b/bad.py"}}});
  ASSERT_FALSE(clean.is_error) << text_of(clean);
  EXPECT_EQ((*clean.structured)["diagnostics"][0]["file"], "b/bad.py");
}

TEST_F(CodeCheckToolTest, RefusesPathsOutsideTheWorkspaceAndMissingOnes) {
  auto outside = check({{"paths", {"../../etc/passwd"}}});
  EXPECT_TRUE(outside.is_error);
  auto absolute = check({{"paths", {"/etc/passwd"}}});
  EXPECT_TRUE(absolute.is_error);
  auto missing = check({{"paths", {"nope.py"}}});
  EXPECT_TRUE(missing.is_error);
  EXPECT_NE(text_of(missing).find("omit paths"), std::string::npos) << text_of(missing);
}

TEST_F(CodeCheckToolTest, SkipsFilesOfNoKnownLanguage) {
  write("notes.txt", "hello\n");
  write("data.py.txt", "def f(:\n");
  // notes.txt is named after the directory that holds it: it is still reported.
  auto result = check({{"paths", {".", "notes.txt", "data.py.txt"}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const json& out = *result.structured;
  ASSERT_EQ(out["skipped"].size(), 2u) << out.dump(2);
  EXPECT_EQ(out["skipped"][0]["file"], "notes.txt");
  EXPECT_EQ(out["skipped"][0]["reason"], "unsupported file type");
  EXPECT_TRUE(out["diagnostics"].empty());
  EXPECT_TRUE(out["checked"].empty());
}

// A header the checked file includes is a FIFO no one writes: gcc waits on it for ever, and the
// deadline, which nothing in the workspace can move, ends it.
TEST_F(CodeCheckToolTest, AHangingCheckerIsKilledAtTheDeadline) {
  if (!have("gcc")) GTEST_SKIP() << "gcc is not installed in /usr/bin";
  write("hang.c", "#include \"pipe.h\"\nint x;\n");
  ASSERT_EQ(::mkfifo((alpha_.root / "pipe.h").c_str(), 0644), 0);
  const auto start = std::chrono::steady_clock::now();
  auto result = check({{"paths", {"hang.c"}}, {"timeout_seconds", 2}});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.is_error) << text_of(result);
  const json& out = *result.structured;
  EXPECT_EQ(out["timed_out"], true) << out.dump(2);
  EXPECT_EQ(out["ok"], false);
  ASSERT_EQ(out["skipped"].size(), 1u) << out.dump(2);
  EXPECT_EQ(out["skipped"][0]["tool"], "gcc");
  EXPECT_NE(out["skipped"][0]["reason"].get<std::string>().find("killed at the deadline"),
            std::string::npos);
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST_F(CodeCheckToolTest, CancellationEndsAHangingChecker) {
  if (!have("gcc")) GTEST_SKIP() << "gcc is not installed in /usr/bin";
  write("hang.c", "#include \"pipe.h\"\nint x;\n");
  ASSERT_EQ(::mkfifo((alpha_.root / "pipe.h").c_str(), 0644), 0);
  CancellationSource cancel;
  ToolContext context(cancel.token(), {}, json::object(), "2025-06-18");
  const auto start = std::chrono::steady_clock::now();
  std::jthread canceller([&cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    cancel.cancel();
  });
  auto result =
      call("code_check", {{"project", "alpha"}, {"paths", {"hang.c"}}, {"timeout_seconds", 60}},
           context);
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(text_of(result).find("cancelled"), std::string::npos) << text_of(result);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

TEST_F(CodeCheckToolTest, ThousandsOfDiagnosticsStayWithinTheBudget) {
  if (!have("python3")) GTEST_SKIP() << "python3 is not installed in /usr/bin";
  for (int i = 0; i < 1500; ++i) {
    write("many/bad_" + std::to_string(i) + ".py", "def f(:\n");
  }
  auto result = check({{"paths", {"many"}}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const json& out = *result.structured;
  EXPECT_EQ(out["errors"], 1500);
  EXPECT_GT(out["omitted"].get<int>(), 0);
  EXPECT_LE(result.to_json().dump().size(), 40u * 1024);
  EXPECT_NE(text_of(result).find("narrow with paths"), std::string::npos) << text_of(result);
}

TEST_F(CodeCheckToolTest, GoVetChecksTheModulesPackages) {
  if (!have("go")) GTEST_SKIP() << "go is not installed in /usr/bin";
  write("go.mod", "module example.com/m\n\ngo 1.19\n");
  write("main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Printf(\"%d\\n\", \"x\")\n}\n");
  write("pkg/bad.go", "package pkg\n\nfunc F() int { return y }\n");
  auto result = check({{"timeout_seconds", 120}});
  ASSERT_FALSE(result.is_error) << text_of(result);
  const json& out = *result.structured;
  const json* printf_misuse = find(out, "main.go", "go");
  ASSERT_NE(printf_misuse, nullptr) << out.dump(2);
  EXPECT_EQ((*printf_misuse)["line"], 6);
  const json* undeclared = find(out, "pkg/bad.go", "go");
  ASSERT_NE(undeclared, nullptr) << out.dump(2);
  EXPECT_EQ((*undeclared)["line"], 3);
  EXPECT_EQ(out["checked"]["go"], 2);
}

// The kill switch and --read-only go by these: it runs commands, and changes no file.
TEST_F(CodeCheckToolTest, ListedAsReadOnlyAndWithdrawnByTheKillSwitch) {
  const Tool tool = code_check_tool(*projects_, *manager_);
  EXPECT_LE(tool.description.size(), 200u);
  EXPECT_TRUE(tool.runs_commands);
  const json listed = registry_.list();
  ASSERT_EQ(listed.size(), 1u);
  expect_read_only_listing(listed[0]);

  // As the server wires it (app/services.cpp).
  registry_.set_hidden(
      [this](const Tool& each) { return each.runs_commands && !manager_->exec_enabled(); });
  manager_->set_exec_enabled(false);
  EXPECT_TRUE(registry_.list().empty());
  ToolContext context;
  EXPECT_FALSE(registry_.call("code_check", {{"project", "alpha"}}, context).has_value());
  manager_->set_exec_enabled(true);
  EXPECT_EQ(registry_.list().size(), 1u);
}

}  // namespace
}  // namespace benchtop::testing
