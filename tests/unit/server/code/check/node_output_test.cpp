// node 20 --check, one file after another, and tsc's plain format.
#include "server/code/check/node_output.h"

#include <gtest/gtest.h>

namespace benchtop::code_check {
namespace {

// A file that ends inside a function (an empty excerpt) and an ES module with a caret.
TEST(NodeOutput, CheckReportsOfSeveralFiles) {
  const auto found = parse_node_check_output(
      "/workspace/bad.js:3\n\n\n\nSyntaxError: Unexpected end of input\n"
      "    at wrapSafe (node:internal/modules/cjs/loader:1464:18)\n"
      "    at checkSyntax (node:internal/main/check_syntax:78:3)\n\nNode.js v20.20.2\n"
      "/workspace/web/bad2.mjs:1\nlet x = (1;\n          ^\n\n"
      "SyntaxError: Unexpected token ';'\n"
      "    at checkSyntax (node:internal/main/check_syntax:74:5)\n\nNode.js v20.20.2\n");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].file, "/workspace/bad.js");
  EXPECT_EQ(found[0].line, 3u);
  EXPECT_EQ(found[0].column, 0u);
  EXPECT_EQ(found[0].message, "SyntaxError: Unexpected end of input");
  EXPECT_EQ(found[1].file, "/workspace/web/bad2.mjs");
  EXPECT_EQ(found[1].line, 1u);
  EXPECT_EQ(found[1].column, 11u);
  EXPECT_EQ(found[1].tool, "node");
}

TEST(NodeOutput, AHeadWithoutAnErrorIsNothing) {
  EXPECT_TRUE(parse_node_check_output("a.js:3\nx\n^\n\nnot an error line\n").empty());
  EXPECT_TRUE(parse_node_check_output("").empty());
}

// tsc --noEmit --pretty false, as documented (tsc is not installed where these were written).
TEST(NodeOutput, Tsc) {
  const auto found = parse_tsc_output(
      "src/app.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.\n"
      "src/odd (1).ts(10,1): error TS1005: ';' expected.\n"
      "error TS5058: The specified path does not exist: 'tsconfig.json'.\n");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].file, "src/app.ts");
  EXPECT_EQ(found[0].line, 3u);
  EXPECT_EQ(found[0].column, 5u);
  EXPECT_EQ(found[0].message, "TS2322: Type 'string' is not assignable to type 'number'.");
  EXPECT_EQ(found[1].file, "src/odd (1).ts");
  EXPECT_EQ(found[1].tool, "tsc");
}

}  // namespace
}  // namespace benchtop::code_check
