#include "server/code/symbols.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace benchtop {
namespace {

Symbol symbol(std::string name, std::string kind, uint64_t line,
              std::optional<uint64_t> end = std::nullopt, std::string scope = {}) {
  Symbol s;
  s.name = std::move(name);
  s.kind = std::move(kind);
  s.line = line;
  s.end_line = end;
  s.scope = std::move(scope);
  return s;
}

TEST(SymbolsTest, BlockEndsFollowTheBracesOfTheBody) {
  const std::string source =
      "export class Circle {\n"                 // 1
      "  area(): number {\n"                    // 2
      "    const s = \"}\"; // }\n"             // 3
      "    /* { */ return `${s}`;\n"            // 4
      "  }\n"                                   // 5
      "}\n"                                     // 6
      "function f(a = {x: 1}, b = [1, 2]) {\n"  // 7
      "  return a;\n"                           // 8
      "}\n"                                     // 9
      "interface Shape {\n"                     // 10
      "  area(): number;\n"                     // 11
      "}\n";                                    // 12
  std::vector<Symbol> symbols = {symbol("Circle", "class", 1),
                                 symbol("area", "method", 2, std::nullopt, "Circle"),
                                 symbol("f", "function", 7),
                                 symbol("Shape", "interface", 10),
                                 symbol("area", "method", 11, std::nullopt, "Shape"),
                                 symbol("s", "constant", 3)};
  infer_block_ends(source, "TypeScript", symbols);
  EXPECT_EQ(symbols[0].end_line, 6u);
  EXPECT_EQ(symbols[1].end_line, 5u);
  EXPECT_EQ(symbols[2].end_line, 9u);
  EXPECT_EQ(symbols[3].end_line, 12u);
  EXPECT_EQ(symbols[4].end_line, 11u);  // a declaration without a body
  EXPECT_FALSE(symbols[5].end_line);    // not a block
}

TEST(SymbolsTest, EndsAreLeftAloneWhereTheyAreKnownOrCannotBeFound) {
  const std::string source = "class A {\n  int x;\n";  // never closed
  std::vector<Symbol> symbols = {symbol("A", "class", 1), symbol("B", "class", 2, 7)};
  infer_block_ends(source, "Java", symbols);
  EXPECT_FALSE(symbols[0].end_line);
  EXPECT_EQ(symbols[1].end_line, 7u);

  std::vector<Symbol> python = {symbol("f", "function", 1)};
  infer_block_ends("def f():\n  return {}\n", "Python", python);
  EXPECT_FALSE(python[0].end_line);  // not a brace language
}

TEST(SymbolsTest, ScopeLeafTakesTheLastPart) {
  EXPECT_EQ(scope_leaf("geo::Rect"), "Rect");
  EXPECT_EQ(scope_leaf("main.Point"), "Point");
  EXPECT_EQ(scope_leaf("a.b::c"), "c");
  EXPECT_EQ(scope_leaf("a::b.c"), "c");
  EXPECT_EQ(scope_leaf("Greeter"), "Greeter");
}

TEST(SymbolsTest, DepthsFollowEnclosingScopes) {
  std::vector<Symbol> symbols = {symbol("geo", "namespace", 3, 29),
                                 symbol("Rect", "class", 16, 25, "geo"),
                                 symbol("area", "function", 19, 21, "geo::Rect"),
                                 symbol("w_", "member", 24, 24, "geo::Rect"),
                                 symbol("total", "function", 31, 33, "geo"),
                                 symbol("main", "function", 35, 38)};
  sort_by_position(symbols);
  EXPECT_EQ(nesting_depths(symbols), (std::vector<size_t>{0, 1, 2, 2, 0, 0}));
}

TEST(SymbolsTest, SortingPutsEnclosingSymbolsFirst) {
  std::vector<Symbol> symbols = {symbol("g", "prototype", 2, 2, "A"), symbol("A", "struct", 2, 4),
                                 symbol("f", "prototype", 1, 1)};
  sort_by_position(symbols);
  EXPECT_EQ(symbols[0].name, "f");
  EXPECT_EQ(symbols[1].name, "A");
  EXPECT_EQ(symbols[2].name, "g");
  EXPECT_EQ(nesting_depths(symbols), (std::vector<size_t>{0, 0, 1}));
}

}  // namespace
}  // namespace benchtop
