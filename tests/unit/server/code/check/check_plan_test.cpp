// Which checker a file gets: languages by extension and shebang, the plan for the programs found,
// and the command lines, in which no file name can become an option.
#include "server/code/check/check_plan.h"

#include <gtest/gtest.h>

#include "server/code/check/diagnostic.h"

namespace benchtop::code_check {
namespace {

TEST(Languages, ByTheWholeExtension) {
  EXPECT_EQ(language_of_name("a.py"), Language::kPython);
  EXPECT_EQ(language_of_name("src/x.cjs"), Language::kJavaScript);
  EXPECT_EQ(language_of_name("src/x.mjs"), Language::kJavaScript);
  EXPECT_EQ(language_of_name("x.tsx"), Language::kTypeScript);
  EXPECT_EQ(language_of_name("run.bash"), Language::kShell);
  EXPECT_EQ(language_of_name("a.c"), Language::kC);
  EXPECT_EQ(language_of_name("a.C"), Language::kCpp);
  EXPECT_EQ(language_of_name("inc/a.h"), Language::kCpp);
  EXPECT_EQ(language_of_name("a.hpp"), Language::kCpp);
  EXPECT_EQ(language_of_name("main.go"), Language::kGo);
  // Never a prefix or a part: these are no source files.
  EXPECT_EQ(language_of_name("a.py.txt"), Language::kNone);
  EXPECT_EQ(language_of_name("a.pyc"), Language::kNone);
  EXPECT_EQ(language_of_name("a.json"), Language::kNone);
  EXPECT_EQ(language_of_name("a.shell"), Language::kNone);
  EXPECT_EQ(language_of_name("py"), Language::kNone);
  EXPECT_EQ(language_of_name(".sh"), Language::kNone);
  EXPECT_EQ(language_of_name("dir.py/Makefile"), Language::kNone);
}

TEST(Languages, ShellShebangs) {
  EXPECT_EQ(language_of_shebang("#!/bin/sh"), Language::kShell);
  EXPECT_EQ(language_of_shebang("#!/bin/bash -e"), Language::kShell);
  EXPECT_EQ(language_of_shebang("#! /usr/bin/env bash"), Language::kShell);
  EXPECT_EQ(language_of_shebang("#!/usr/bin/env -S bash -x"), Language::kShell);
  EXPECT_EQ(language_of_shebang("#!/usr/bin/env python3"), Language::kNone);
  EXPECT_EQ(language_of_shebang("#!/bin/bashful"), Language::kNone);
  EXPECT_EQ(language_of_shebang("# /bin/sh"), Language::kNone);
  EXPECT_EQ(language_of_shebang(""), Language::kNone);
}

TEST(CheckPlan, PrefersTheLinterAndFallsBack) {
  SourceSet sources;
  sources.files[Language::kPython] = {"a.py"};
  sources.files[Language::kShell] = {"run.sh"};
  auto plan = plan_checks(sources, {"ruff", "python3", "shellcheck", "bash"});
  ASSERT_EQ(plan.runs.size(), 2u);
  EXPECT_EQ(plan.runs[0].tool, "ruff");
  EXPECT_EQ(plan.runs[0].format, OutputFormat::kRuff);
  EXPECT_EQ(plan.runs[1].tool, "shellcheck");
  EXPECT_EQ(plan.runs[1].command, "shellcheck -f json1 -- './run.sh'");

  plan = plan_checks(sources, {"python3", "bash"});
  ASSERT_EQ(plan.runs.size(), 2u);
  EXPECT_EQ(plan.runs[0].tool, "python3");
  EXPECT_EQ(plan.runs[0].format, OutputFormat::kPythonCompile);
  EXPECT_EQ(plan.runs[1].tool, "bash");
  EXPECT_EQ(plan.runs[1].command, "s=0; bash -n './run.sh' || s=1; exit $s");
}

TEST(CheckPlan, LanguagesWithoutACheckerAreSkippedWithTheReason) {
  SourceSet sources;
  sources.files[Language::kJavaScript] = {"a.js"};
  sources.files[Language::kTypeScript] = {"b.ts"};
  sources.files[Language::kGo] = {"c.go"};
  sources.files[Language::kRust] = {"d.rs"};
  auto plan = plan_checks(sources, {"tsc", "go"});
  EXPECT_TRUE(plan.runs.empty());
  ASSERT_EQ(plan.skipped.size(), 4u);
  EXPECT_EQ(plan.skipped[0].language, "javascript");
  EXPECT_NE(plan.skipped[0].reason.find("node not found"), std::string::npos);
  EXPECT_NE(plan.skipped[1].reason.find("tsconfig.json"), std::string::npos);
  EXPECT_NE(plan.skipped[2].reason.find("go.mod"), std::string::npos);
  EXPECT_NE(plan.skipped[3].reason.find("build scripts"), std::string::npos);

  sources.has_tsconfig = sources.has_go_mod = true;
  plan = plan_checks(sources, {"tsc", "go"});
  ASSERT_EQ(plan.runs.size(), 2u);
  EXPECT_EQ(plan.runs[0].command, "tsc --noEmit --pretty false --incremental false -p .");
  EXPECT_EQ(plan.runs[1].command, "go vet .");
  EXPECT_EQ(plan.runs[1].env.at("GOPROXY"), "off");
}

TEST(CheckPlan, FileNamesAreQuotedRelativeArguments) {
  SourceSet sources;
  sources.files[Language::kCpp] = {"-rf.cpp", "src/it's.cpp"};
  sources.files[Language::kJavaScript] = {"--eval=x.js"};
  auto plan = plan_checks(sources, {"g++", "node"});
  ASSERT_EQ(plan.runs.size(), 2u);
  EXPECT_EQ(plan.runs[0].tool, "node");
  EXPECT_EQ(plan.runs[0].command, "s=0; node --check './--eval=x.js' || s=1; exit $s");
  EXPECT_EQ(plan.runs[1].command,
            "s=0; g++ -fsyntax-only -fdiagnostics-color=never -fno-diagnostics-show-caret -I. "
            "'./-rf.cpp' || s=1; g++ -fsyntax-only -fdiagnostics-color=never "
            "-fno-diagnostics-show-caret -I'./src' -I. './src/it'\\''s.cpp' || s=1; exit $s");
  EXPECT_EQ(plan.runs[1].file_count, 2u);
}

TEST(CheckPlan, CompileDatabaseFlagsReplaceTheDefaultIncludes) {
  SourceSet sources;
  sources.files[Language::kCpp] = {"src/a.cpp", "tools/b.cpp"};
  sources.compile_database = CompileDatabase::parse(
      R"([{"directory": "/workspace", "file": "src/a.cpp", "arguments": ["c++", "-Iinclude",
           "-DX", "-c", "src/a.cpp"]}])",
      "/home/u/p");
  auto plan = plan_checks(sources, {"g++"});
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_NE(plan.runs[0].command.find("'-I./include' '-DX' './src/a.cpp'"), std::string::npos)
      << plan.runs[0].command;
  EXPECT_NE(plan.runs[0].command.find("-I'./tools' -I. './tools/b.cpp'"), std::string::npos)
      << plan.runs[0].command;
}

TEST(CheckPlan, ClangWhenThereIsNoGcc) {
  SourceSet sources;
  sources.files[Language::kC] = {"a.c"};
  auto plan = plan_checks(sources, {"clang"});
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].tool, "clang");
  EXPECT_NE(plan.runs[0].command.find("-fno-caret-diagnostics"), std::string::npos);
}

TEST(CheckPlan, ManyFilesMakeSeveralCommandsUnderTheLimit) {
  SourceSet sources;
  for (int i = 0; i < 5000; ++i) {
    sources.files[Language::kShell].push_back("scripts/a-fairly-long-name-" + std::to_string(i) +
                                              ".sh");
  }
  auto plan = plan_checks(sources, {"shellcheck"});
  ASSERT_GT(plan.runs.size(), 1u);
  size_t files = 0;
  for (const auto& run : plan.runs) {
    EXPECT_LT(run.command.size(), kMaxCommandBytes);
    files += run.file_count;
  }
  EXPECT_EQ(files, 5000u);
}

TEST(CheckPlan, WantedProgramsFollowTheLanguages) {
  SourceSet sources;
  sources.files[Language::kC] = {"a.c"};
  EXPECT_EQ(wanted_programs(sources), (std::vector<std::string>{"gcc", "clang"}));
}

TEST(Diagnostics, FilesAreMadeWorkspaceRelative) {
  EXPECT_EQ(relative_file("/workspace/src/a.py", "/home/u/p"), "src/a.py");
  EXPECT_EQ(relative_file("/home/u/p/src/a.py", "/home/u/p"), "src/a.py");
  EXPECT_EQ(relative_file("./src/a.py", "/home/u/p"), "src/a.py");
  EXPECT_EQ(relative_file("/home/u/pp/a.py", "/home/u/p"), "/home/u/pp/a.py");
  EXPECT_EQ(relative_file("/workspaces/a.py", ""), "/workspaces/a.py");
  EXPECT_EQ(relative_file("/usr/include/stdio.h", "/home/u/p"), "/usr/include/stdio.h");
}

}  // namespace
}  // namespace benchtop::code_check
