#include "server/code/symbols.h"

#include <algorithm>
#include <array>

namespace benchtop {
namespace {

constexpr std::array<std::string_view, 18> kBraceLanguages = {
    "C",   "C++",  "CUDA",  "C#",    "D",          "Go",   "Java", "JavaScript", "Kotlin",
    "PHP", "Rust", "Scala", "Swift", "TypeScript", "Vala", "Dart", "ObjectiveC", "Groovy"};
constexpr std::array<std::string_view, 16> kBlockKinds = {
    "class",  "interface", "function", "method", "constructor",    "generator",
    "enum",   "struct",    "union",    "trait",  "implementation", "namespace",
    "module", "getter",    "setter",   "record"};
// How far past its name a symbol's body may start ('{' or ';'), in bytes.
constexpr size_t kBodySearchLimit = 16 * 1024;

template <size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A cursor over source text that steps over comments and string literals.
class BraceScanner {
 public:
  explicit BraceScanner(std::string_view text) : text_(text) {}

  // From `at`, the offset of the next character outside comments and strings (text_.size() at
  // the end).
  size_t next_code(size_t at) const {
    while (at < text_.size()) {
      const char c = text_[at];
      if (c == '/' && at + 1 < text_.size() && text_[at + 1] == '/') {
        at = end_of(text_.find('\n', at));
      } else if (c == '/' && at + 1 < text_.size() && text_[at + 1] == '*') {
        const size_t close = text_.find("*/", at + 2);
        at = close == std::string_view::npos ? text_.size() : close + 2;
      } else if (c == '"' || c == '\'' || c == '`') {
        at = after_string(at);
      } else {
        return at;
      }
    }
    return at;
  }

  // The offset of the '}' that closes the '{' at `open`, or npos.
  size_t matching_brace(size_t open) const {
    size_t depth = 0;
    for (size_t at = next_code(open); at < text_.size(); at = next_code(at + 1)) {
      if (text_[at] == '{') {
        ++depth;
      } else if (text_[at] == '}' && --depth == 0) {
        return at;
      }
    }
    return std::string_view::npos;
  }

  // From `from`, the offset of the '{' that opens a body or of the ';' that ends a declaration
  // (outside parentheses and brackets), or npos.
  size_t body_start(size_t from) const {
    size_t nesting = 0;
    const size_t limit = std::min(text_.size(), from + kBodySearchLimit);
    for (size_t at = next_code(from); at < limit; at = next_code(at + 1)) {
      const char c = text_[at];
      if (c == '(' || c == '[') {
        ++nesting;
      } else if ((c == ')' || c == ']') && nesting > 0) {
        --nesting;
      } else if (nesting == 0 && (c == '{' || c == ';')) {
        return at;
      } else if (nesting == 0 && c == '}') {
        return std::string_view::npos;  // the enclosing block ended first
      }
    }
    return std::string_view::npos;
  }

 private:
  size_t end_of(size_t found) const {
    return found == std::string_view::npos ? text_.size() : found;
  }

  // The offset after the string literal that starts at `at`. A quote or double quote string also
  // ends at the end of its line (an unbalanced quote must not swallow the file).
  size_t after_string(size_t at) const {
    const char quote = text_[at];
    for (size_t i = at + 1; i < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        return i + 1;
      } else if (c == '\n' && quote != '`') {
        return i;
      }
    }
    return text_.size();
  }

  std::string_view text_;
};

}  // namespace

void infer_block_ends(std::string_view contents, std::string_view language,
                      std::vector<Symbol>& symbols) {
  if (!one_of(kBraceLanguages, language)) return;
  std::vector<size_t> line_starts;
  auto line_of = [&line_starts](size_t offset) {
    return static_cast<uint64_t>(std::upper_bound(line_starts.begin(), line_starts.end(), offset) -
                                 line_starts.begin());
  };
  const BraceScanner scanner(contents);
  for (Symbol& symbol : symbols) {
    if (symbol.end_line || !one_of(kBlockKinds, symbol.kind)) continue;
    if (line_starts.empty()) {
      line_starts.push_back(0);
      for (size_t at = contents.find('\n'); at != std::string_view::npos;
           at = contents.find('\n', at + 1)) {
        line_starts.push_back(at + 1);
      }
    }
    if (symbol.line == 0 || symbol.line > line_starts.size()) continue;
    const size_t line_start = line_starts[symbol.line - 1];
    const size_t line_end = std::min(contents.find('\n', line_start), contents.size());
    const size_t name_at = contents.substr(line_start, line_end - line_start).find(symbol.name);
    const size_t from =
        name_at == std::string_view::npos ? line_start : line_start + name_at + symbol.name.size();
    const size_t start = scanner.body_start(from);
    if (start == std::string_view::npos) continue;
    const size_t end = contents[start] == ';' ? start : scanner.matching_brace(start);
    if (end == std::string_view::npos) continue;
    symbol.end_line = std::max(symbol.line, line_of(end));
  }
}

void sort_by_position(std::vector<Symbol>& symbols) {
  std::stable_sort(symbols.begin(), symbols.end(), [](const Symbol& a, const Symbol& b) {
    if (a.line != b.line) return a.line < b.line;
    return a.end_line.value_or(a.line) > b.end_line.value_or(b.line);
  });
}

std::string_view scope_leaf(std::string_view scope) {
  const size_t colons = scope.rfind("::");
  const size_t dot = scope.rfind('.');
  if (colons != std::string_view::npos && (dot == std::string_view::npos || colons + 1 > dot)) {
    return scope.substr(colons + 2);
  }
  return dot == std::string_view::npos ? scope : scope.substr(dot + 1);
}

std::vector<size_t> nesting_depths(const std::vector<Symbol>& symbols) {
  struct Open {
    size_t index;
    uint64_t end;
    size_t depth;
  };
  std::vector<size_t> depths(symbols.size(), 0);
  std::vector<Open> open;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const Symbol& symbol = symbols[i];
    while (!open.empty() && open.back().end < symbol.line) open.pop_back();
    if (!symbol.scope.empty()) {
      const std::string_view parent = scope_leaf(symbol.scope);
      for (auto it = open.rbegin(); it != open.rend(); ++it) {
        if (it->end >= symbol.line && symbols[it->index].name == parent) {
          depths[i] = it->depth + 1;
          break;
        }
      }
    }
    if (symbol.end_line && *symbol.end_line >= symbol.line) {
      open.push_back({i, *symbol.end_line, depths[i]});
    }
  }
  return depths;
}

}  // namespace benchtop
