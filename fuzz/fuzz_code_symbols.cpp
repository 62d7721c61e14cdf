// What benchtop adds to ctags' symbols, over any source text: end lines found by matching braces
// and the nesting of an outline. A symbol is made on every line (its name the line's first word,
// its kind taken in turn from block and non-block kinds). Never crashes, never gives an end line
// before a symbol's own or past the text's last line, and never nests a symbol deeper than the
// symbols before it.
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "server/code/symbols.h"

namespace {

constexpr const char* kKinds[] = {"class", "function", "method", "variable", "interface", "member"};
constexpr const char* kLanguages[] = {"TypeScript", "C++", "Python"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace benchtop;
  if (size == 0) return 0;
  const std::string_view language = kLanguages[data[0] % 3];
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  std::vector<Symbol> symbols;
  uint64_t lines = 1;
  size_t start = 0;
  for (size_t at = 0; at <= text.size(); ++at) {
    if (at < text.size() && text[at] != '\n') continue;
    const std::string_view line = text.substr(start, at - start);
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      const size_t end = line.find_first_of(" \t({;", first);
      Symbol symbol;
      symbol.name =
          std::string(line.substr(first, end == std::string_view::npos ? end : end - first));
      symbol.kind = kKinds[symbols.size() % 6];
      symbol.line = lines;
      if (!symbols.empty() && symbols.size() % 3 == 0) symbol.scope = symbols.back().name;
      symbols.push_back(std::move(symbol));
    }
    if (at < text.size()) ++lines;
    start = at + 1;
  }
  infer_block_ends(text, language, symbols);
  for (const Symbol& symbol : symbols) {
    if (symbol.end_line && (*symbol.end_line < symbol.line || *symbol.end_line > lines)) {
      std::abort();
    }
  }
  const size_t count = symbols.size();
  sort_by_position(symbols);
  if (symbols.size() != count) std::abort();
  const std::vector<size_t> depths = nesting_depths(symbols);
  if (depths.size() != count) std::abort();
  for (size_t i = 0; i < count; ++i) {
    if (depths[i] > i) std::abort();
    if (i > 0 && symbols[i].line < symbols[i - 1].line) std::abort();
  }
  return 0;
}
