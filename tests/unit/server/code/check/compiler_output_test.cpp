// GCC, Clang and go vet output, as each printed it for the sample files named in the comments.
#include "server/code/check/compiler_output.h"

#include <gtest/gtest.h>

namespace benchtop::code_check {
namespace {

// g++ 12 -fsyntax-only -fno-diagnostics-show-caret on "int main() {\n  int x = ;\n ...".
TEST(CompilerOutput, GccErrorWithItsFunctionContext) {
  const auto found = parse_compiler_output(
      "./bad.cpp: In function 'int main()':\n"
      "./bad.cpp:2:11: error: expected primary-expression before ';' token\n",
      "g++");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "./bad.cpp");
  EXPECT_EQ(found[0].line, 2u);
  EXPECT_EQ(found[0].column, 11u);
  EXPECT_EQ(found[0].severity, Severity::kError);
  EXPECT_EQ(found[0].message, "expected primary-expression before ';' token");
  EXPECT_EQ(found[0].tool, "g++");
}

// gcc on "int f(void) { return y; }" in sub/bad.c: an error and its note.
TEST(CompilerOutput, GccNoteIsInfo) {
  const auto found = parse_compiler_output(
      "./sub/bad.c: In function 'f':\n"
      "./sub/bad.c:1:22: error: 'y' undeclared (first use in this function)\n"
      "./sub/bad.c:1:22: note: each undeclared identifier is reported only once for each "
      "function it appears in\n",
      "gcc");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].severity, Severity::kError);
  EXPECT_EQ(found[1].severity, Severity::kInfo);
  EXPECT_EQ(found[1].file, "./sub/bad.c");
}

// Clang with its carets (when -fno-caret-diagnostics is not given): only the first line counts.
TEST(CompilerOutput, ClangSourceExcerptIsNotADiagnostic) {
  const auto found = parse_compiler_output(
      "./bad.cpp:2:11: error: expected expression\n  int x = ;\n          ^\n1 error generated.\n",
      "clang++");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].message, "expected expression");
}

TEST(CompilerOutput, IncludeChainsFatalErrorsAndHeaderNoise) {
  const auto found = parse_compiler_output(
      "In file included from ./src/a.cpp:1:\n"
      "./src/a.h:3:10: fatal error: missing.h: No such file or directory\n"
      "./h.hpp:1:9: warning: #pragma once in main file\n"
      "./odd:name.c:4:1: warning: unused variable 'z'\n",
      "g++");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].file, "./src/a.h");
  EXPECT_EQ(found[0].message, "missing.h: No such file or directory");
  EXPECT_EQ(found[1].file, "./odd:name.c");
  EXPECT_EQ(found[1].severity, Severity::kWarning);
}

// go 1.19 `go vet . ./pkg` in a module with a type error in pkg and a Printf misuse in main.
TEST(CompilerOutput, GoVetFindingsAndTypeErrors) {
  const auto found = parse_compiler_output(
      "# example.com/m/pkg\n"
      "vet: pkg/bad.go:3:23: undeclared name: y\n"
      "# example.com/m\n"
      "./main.go:6:2: fmt.Printf format %d has arg \"x\" of wrong type string\n",
      "go", Severity::kError);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].file, "pkg/bad.go");
  EXPECT_EQ(found[0].line, 3u);
  EXPECT_EQ(found[0].column, 23u);
  EXPECT_EQ(found[1].file, "./main.go");
  EXPECT_EQ(found[1].message, "fmt.Printf format %d has arg \"x\" of wrong type string");
}

TEST(CompilerOutput, LinesWithoutAKindNeedADefault) {
  EXPECT_TRUE(parse_compiler_output("./a.go:1:2: something\n", "gcc").empty());
  EXPECT_TRUE(parse_compiler_output("no position here\n:3: error: x\n", "gcc").empty());
  EXPECT_TRUE(parse_compiler_output("a.c:99999999999999999999999:1: error: x\n", "gcc")[0].line ==
              0u);
}

}  // namespace
}  // namespace benchtop::code_check
