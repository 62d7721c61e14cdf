#include "tools/code/symbol_text.h"

#include "common/utf8.h"

namespace benchtop {
namespace {

constexpr size_t kLongestSignature = 200;

}  // namespace

std::optional<std::string> shown_signature(const Symbol& symbol) {
  if (symbol.signature.empty()) return std::nullopt;
  std::string text;
  bool space = false;
  for (const char c : symbol.signature) {
    if (static_cast<unsigned char>(c) < 0x20 || c == ' ') {
      space = true;
      continue;
    }
    if (space && !text.empty()) text += ' ';
    space = false;
    text += c;
  }
  if (text.size() > kLongestSignature) {
    text.resize(utf8_floor(text, kLongestSignature));
    text += "\xE2\x80\xA6";  // "…"
  }
  return text;
}

std::string symbol_label(const Symbol& symbol) {
  return symbol.kind + ' ' + symbol.name + shown_signature(symbol).value_or("");
}

std::string line_range(const Symbol& symbol) {
  std::string text = 'L' + std::to_string(symbol.line);
  if (symbol.end_line && *symbol.end_line != symbol.line) {
    text += '-' + std::to_string(*symbol.end_line);
  }
  return text;
}

std::optional<std::string> shown_scope(const Symbol& symbol) {
  if (symbol.scope.empty() || symbol.scope_kind == "package") return std::nullopt;
  return symbol.scope;
}

std::string shown_duration(std::chrono::milliseconds duration) {
  if (duration < std::chrono::seconds(1)) return std::to_string(duration.count()) + " ms";
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
}

}  // namespace benchtop
