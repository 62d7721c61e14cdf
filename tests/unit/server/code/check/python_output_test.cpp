// The compile script (run for real where python3 is installed) and Ruff's JSON report.
#include "server/code/check/python_output.h"

#include <gtest/gtest.h>

namespace benchtop::code_check {
namespace {

// What the script printed under Python 3.11 for a syntax error, an invalid escape, mixed tabs,
// a missing file and a NUL byte.
TEST(PythonOutput, CompileScriptLines) {
  const auto found = parse_python_compile_output(
      R"({"file": "./bad.py", "line": 2, "column": 7, "severity": "error", "message": "SyntaxError: invalid syntax"}
{"file": "./warn.py", "line": 1, "column": 0, "severity": "warning", "message": "DeprecationWarning: invalid escape sequence '\\d'"}
{"file": "./tab.py", "line": 3, "column": 1, "severity": "error", "message": "TabError: inconsistent use of tabs and spaces in indentation"}
{"file": "./nul.py", "line": 0, "column": 0, "severity": "error", "message": "ValueError: source code string cannot contain null bytes"}
Traceback (most recent call last): not one of ours
{"file": 7, "message": "wrong types are skipped"}
)");
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].file, "./bad.py");
  EXPECT_EQ(found[0].line, 2u);
  EXPECT_EQ(found[0].column, 7u);
  EXPECT_EQ(found[0].severity, Severity::kError);
  EXPECT_EQ(found[0].tool, "python3");
  EXPECT_EQ(found[1].severity, Severity::kWarning);
  EXPECT_EQ(found[1].message, "DeprecationWarning: invalid escape sequence '\\d'");
  EXPECT_EQ(found[3].line, 0u);
}

// Ruff's documented JSON output format (ruff is not installed where these tests were written):
// a rule finding and a syntax error, which has no code.
TEST(PythonOutput, RuffJson) {
  const auto found = parse_ruff_json(R"([
  {"cell": null, "code": "F401", "end_location": {"column": 10, "row": 1},
   "filename": "/workspace/pkg/a.py", "fix": null, "location": {"column": 8, "row": 1},
   "message": "`os` imported but unused", "noqa_row": 1, "url": "https://docs.astral.sh/ruff/rules/unused-import"},
  {"cell": null, "code": null, "end_location": {"column": 8, "row": 2},
   "filename": "/workspace/bad.py", "fix": null, "location": {"column": 7, "row": 2},
   "message": "SyntaxError: Expected ')', found ':'", "noqa_row": null, "url": null}
])");
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].file, "/workspace/pkg/a.py");
  EXPECT_EQ((*found)[0].line, 1u);
  EXPECT_EQ((*found)[0].column, 8u);
  EXPECT_EQ((*found)[0].severity, Severity::kWarning);
  EXPECT_EQ((*found)[0].message, "F401: `os` imported but unused");
  EXPECT_EQ((*found)[1].severity, Severity::kError);
  EXPECT_EQ((*found)[1].tool, "ruff");
}

TEST(PythonOutput, RuffOutputCutShortIsUnreadable) {
  EXPECT_FALSE(parse_ruff_json(R"([{"code": "F401", "filename": "a.py")").has_value());
  EXPECT_FALSE(parse_ruff_json("error: Failed to parse pyproject.toml").has_value());
  EXPECT_TRUE(parse_ruff_json("[]")->empty());
}

}  // namespace
}  // namespace benchtop::code_check
