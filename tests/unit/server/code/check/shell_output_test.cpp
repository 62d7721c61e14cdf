// ShellCheck 0.9.0 (-f json1) and bash 5.2 (-n) on the same two scripts.
#include "server/code/check/shell_output.h"

#include <gtest/gtest.h>

namespace benchtop::code_check {
namespace {

TEST(ShellOutput, ShellcheckJson1) {
  const auto found = parse_shellcheck_json(
      R"({"comments":[{"file":"./warn.sh","line":2,"endLine":2,"column":6,"endColumn":8,"level":"info","code":2086,"message":"Double quote to prevent globbing and word splitting.","fix":{"replacements":[]}},)"
      R"({"file":"./bad.sh","line":1,"endLine":1,"column":1,"endColumn":1,"level":"error","code":1046,"message":"Couldn't find 'fi' for this 'if'.","fix":null},)"
      R"({"file":"./bad.sh","line":3,"endLine":3,"column":1,"endColumn":1,"level":"warning","code":1072,"message":"Expected 'fi'.","fix":null}]})");
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].file, "./warn.sh");
  EXPECT_EQ((*found)[0].line, 2u);
  EXPECT_EQ((*found)[0].column, 6u);
  EXPECT_EQ((*found)[0].severity, Severity::kInfo);
  EXPECT_EQ((*found)[0].message, "SC2086: Double quote to prevent globbing and word splitting.");
  EXPECT_EQ((*found)[1].severity, Severity::kError);
  EXPECT_EQ((*found)[2].severity, Severity::kWarning);
  EXPECT_EQ((*found)[1].tool, "shellcheck");
}

TEST(ShellOutput, ShellcheckOutputThatIsNotItsReport) {
  EXPECT_FALSE(parse_shellcheck_json(R"({"comments":[{"file":"a.sh")").has_value());
  EXPECT_FALSE(parse_shellcheck_json("[]").has_value());
  EXPECT_TRUE(parse_shellcheck_json(R"({"comments":[]})")->empty());
}

TEST(ShellOutput, BashSyntaxErrors) {
  const auto found = parse_bash_syntax_output(
      "./bad.sh: line 3: syntax error: unexpected end of file\n"
      "./b2.sh: line 1: syntax error near unexpected token `)'\n"
      "./b2.sh: line 1: `foo )'\n");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].file, "./bad.sh");
  EXPECT_EQ(found[0].line, 3u);
  EXPECT_EQ(found[0].message, "syntax error: unexpected end of file");
  EXPECT_EQ(found[0].tool, "bash");
  EXPECT_EQ(found[1].file, "./b2.sh");
  EXPECT_EQ(found[1].message, "syntax error near unexpected token `)'");
}

}  // namespace
}  // namespace benchtop::code_check
