// The symbols ctags finds in a file, and what benchtop adds to them: end lines where ctags gives
// none, and each symbol's place in the file's tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop {

struct Symbol {
  std::string name;
  std::string kind;   // ctags' long kind name: class, function, method, member, struct, ...
  uint64_t line = 0;  // 1-based
  std::optional<uint64_t> end_line;
  std::string scope;  // the enclosing symbol as ctags names it ("geo::Rect", "main.Point")
  std::string scope_kind;
  std::string signature;  // "(int x)", when ctags knows it
};

// Fills in the end lines ctags leaves out (its JavaScript and TypeScript parsers give none) for
// block-like symbols (classes, functions, methods, interfaces...) of brace-delimited languages:
// from the symbol's name on, the first '{' outside parentheses opens its body and the matching
// '}' ends it; a ';' first means a declaration without a body. Strings and comments are skipped
// (a brace inside a JavaScript regular expression literal can still mislead it). A symbol whose
// end cannot be found this way keeps none.
void infer_block_ends(std::string_view contents, std::string_view language,
                      std::vector<Symbol>& symbols);

// Orders symbols by line, enclosing ones before what they enclose.
void sort_by_position(std::vector<Symbol>& symbols);

// The last part of a scope: "geo::Rect" → "Rect", "main.Point" → "Point".
std::string_view scope_leaf(std::string_view scope);

// Each symbol's depth in the file's tree (symbols sorted by sort_by_position): one more than the
// innermost symbol before it whose lines enclose it and whose name is the last part of its
// scope; 0 for the rest.
std::vector<size_t> nesting_depths(const std::vector<Symbol>& symbols);

}  // namespace benchtop
