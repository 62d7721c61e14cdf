#include "server/workspace/search/glob_pattern.h"

#include <cstring>
#include <optional>

namespace benchtop {
namespace {

using Token = GlobPattern::Token;
using Segment = GlobPattern::Segment;
using Alternative = GlobPattern::Alternative;

// More alternatives than this is almost certainly a mistake and would make every match slow.
constexpr size_t kMaxAlternatives = 1024;

// Position of the '}' closing the '{' at `open`, and the top-level commas in between.
std::optional<size_t> find_brace_close(std::string_view s, size_t open,
                                       std::vector<size_t>& commas) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      ++i;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return i;
    } else if (c == ',' && depth == 1) {
      commas.push_back(i);
    }
  }
  return std::nullopt;
}

// Expands `{a,b}` groups into separate patterns. Escapes are kept for the segment parser.
Status expand_braces(std::string_view pattern, std::vector<std::string>& out) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    std::vector<size_t> commas;
    auto close = find_brace_close(pattern, i, commas);
    if (!close) continue;  // an unmatched '{' is an ordinary character
    const std::string_view prefix = pattern.substr(0, i);
    const std::string_view suffix = pattern.substr(*close + 1);
    size_t start = i + 1;
    commas.push_back(*close);
    for (size_t comma : commas) {
      std::string combined(prefix);
      combined.append(pattern.substr(start, comma - start));
      combined.append(suffix);
      if (auto status = expand_braces(combined, out); !status) return status;
      start = comma + 1;
    }
    return {};
  }
  if (out.size() >= kMaxAlternatives) {
    return Error::make("Glob pattern expands to more than " + std::to_string(kMaxAlternatives) +
                           " alternatives; use fewer {a,b} groups",
                       "invalid_pattern");
  }
  out.emplace_back(pattern);
  return {};
}

void add_posix_class(std::string_view name, Token& token) {
  auto add = [&](unsigned char lo, unsigned char hi) { token.ranges.emplace_back(lo, hi); };
  if (name == "alpha") {
    add('a', 'z'), add('A', 'Z');
  } else if (name == "digit") {
    add('0', '9');
  } else if (name == "alnum") {
    add('a', 'z'), add('A', 'Z'), add('0', '9');
  } else if (name == "upper") {
    add('A', 'Z');
  } else if (name == "lower") {
    add('a', 'z');
  } else if (name == "space") {
    add(' ', ' '), add('\t', '\r');
  } else if (name == "blank") {
    add(' ', ' '), add('\t', '\t');
  } else if (name == "xdigit") {
    add('0', '9'), add('a', 'f'), add('A', 'F');
  } else if (name == "punct") {
    add('!', '/'), add(':', '@'), add('[', '`'), add('{', '~');
  } else if (name == "word") {
    add('a', 'z'), add('A', 'Z'), add('0', '9'), add('_', '_');
  }
}

// Parses a bracket expression starting at s[i] == '['. Returns the index just past ']', or
// nullopt when the bracket is unterminated (then '[' is literal).
std::optional<size_t> parse_class(std::string_view s, size_t i, Token& token) {
  token.kind = Token::Kind::kClass;
  size_t j = i + 1;
  if (j < s.size() && (s[j] == '!' || s[j] == '^')) {
    token.negated = true;
    ++j;
  }
  bool first = true;
  while (j < s.size()) {
    char c = s[j];
    if (c == ']' && !first) return j + 1;
    first = false;
    if (c == '[' && j + 1 < s.size() && s[j + 1] == ':') {
      const size_t end = s.find(":]", j + 2);
      if (end != std::string_view::npos) {
        add_posix_class(s.substr(j + 2, end - j - 2), token);
        j = end + 2;
        continue;
      }
    }
    if (c == '\\' && j + 1 < s.size()) c = s[++j];
    unsigned char lo = static_cast<unsigned char>(c);
    unsigned char hi = lo;
    if (j + 2 < s.size() && s[j + 1] == '-' && s[j + 2] != ']') {
      j += 2;
      char h = s[j];
      if (h == '\\' && j + 1 < s.size()) h = s[++j];
      hi = static_cast<unsigned char>(h);
      if (hi < lo) std::swap(lo, hi);
    }
    token.ranges.emplace_back(lo, hi);
    ++j;
  }
  return std::nullopt;
}

Segment parse_segment(std::string_view s) {
  Segment segment;
  if (s == "**") {
    segment.kind = Segment::Kind::kGlobStar;
    return segment;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    Token token{};
    if (c == '*') {
      while (i + 1 < s.size() && s[i + 1] == '*') ++i;  // "a**b" is "a*b"
      token.kind = Token::Kind::kStar;
    } else if (c == '?') {
      token.kind = Token::Kind::kAnyChar;
    } else if (c == '[') {
      if (auto end = parse_class(s, i, token)) {
        i = *end - 1;
      } else {
        token = Token{Token::Kind::kLiteral, '[', false, {}};
      }
    } else {
      token.kind = Token::Kind::kLiteral;
      token.literal = (c == '\\' && i + 1 < s.size()) ? s[++i] : c;
    }
    segment.tokens.push_back(std::move(token));
  }
  // Fast paths for the shapes that dominate real patterns: "name", "*.ext", "prefix*".
  auto literal_run = [&](size_t from, size_t to) {
    std::string text;
    for (size_t k = from; k < to; ++k) {
      if (segment.tokens[k].kind != Token::Kind::kLiteral) return std::optional<std::string>{};
      text.push_back(segment.tokens[k].literal);
    }
    return std::optional<std::string>{std::move(text)};
  };
  const size_t n = segment.tokens.size();
  if (auto all = literal_run(0, n)) {
    segment.kind = Segment::Kind::kLiteral;
    segment.text = std::move(*all);
  } else if (n >= 1 && segment.tokens[0].kind == Token::Kind::kStar && literal_run(1, n)) {
    segment.kind = Segment::Kind::kSuffix;
    segment.text = *literal_run(1, n);
  } else if (n >= 1 && segment.tokens[n - 1].kind == Token::Kind::kStar && literal_run(0, n - 1)) {
    segment.kind = Segment::Kind::kPrefix;
    segment.text = *literal_run(0, n - 1);
  } else {
    segment.kind = Segment::Kind::kTokens;
  }
  return segment;
}

Alternative parse_alternative(std::string_view s) {
  Alternative alternative;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == '\\') {
      ++i;
      continue;
    }
    if (i == s.size() || s[i] == '/') {
      const std::string_view part = s.substr(start, i - start);
      start = i + 1;
      if (part.empty()) continue;
      Segment segment = parse_segment(part);
      const bool repeated_globstar = segment.kind == Segment::Kind::kGlobStar &&
                                     !alternative.segments.empty() &&
                                     alternative.segments.back().kind == Segment::Kind::kGlobStar;
      if (!repeated_globstar) alternative.segments.push_back(std::move(segment));
    }
  }
  return alternative;
}

bool class_matches(const Token& token, unsigned char c) {
  bool in = false;
  for (const auto& [lo, hi] : token.ranges) {
    if (c >= lo && c <= hi) {
      in = true;
      break;
    }
  }
  return in != token.negated;
}

size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Matches one path component against `*`, `?`, class and literal tokens. The classic
// single-backtrack algorithm suffices because `*` cannot cross a component boundary here.
bool tokens_match(const std::vector<Token>& tokens, std::string_view s) {
  size_t t = 0, i = 0;
  size_t star_t = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (t < tokens.size()) {
      const Token& token = tokens[t];
      const auto c = static_cast<unsigned char>(s[i]);
      if (token.kind == Token::Kind::kStar) {
        star_t = t++;
        star_i = i;
        continue;
      }
      bool ok = false;
      size_t advance = 1;
      switch (token.kind) {
        case Token::Kind::kLiteral:
          ok = token.literal == s[i];
          break;
        case Token::Kind::kAnyChar:
          ok = true;
          advance = std::min(utf8_sequence_length(c), s.size() - i);
          break;
        case Token::Kind::kClass:
          ok = class_matches(token, c);
          break;
        case Token::Kind::kStar:
          break;
      }
      if (ok) {
        ++t;
        i += advance;
        continue;
      }
    }
    if (star_t == std::string_view::npos) return false;
    t = star_t + 1;
    i = ++star_i;
  }
  while (t < tokens.size() && tokens[t].kind == Token::Kind::kStar) ++t;
  return t == tokens.size();
}

bool segment_matches(const Segment& segment, std::string_view component) {
  switch (segment.kind) {
    case Segment::Kind::kLiteral:
      return component == segment.text;
    case Segment::Kind::kSuffix:
      return component.ends_with(segment.text);
    case Segment::Kind::kPrefix:
      return component.starts_with(segment.text);
    case Segment::Kind::kTokens:
      return tokens_match(segment.tokens, component);
    case Segment::Kind::kGlobStar:
      return true;
  }
  return false;
}

// Path components without allocation for the common shallow case.
class Components {
 public:
  explicit Components(std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      if (end > start) parts_.push_back(path.substr(start, end - start));
      start = end + 1;
    }
  }
  size_t size() const { return parts_.size(); }
  std::string_view operator[](size_t i) const { return parts_[i]; }

 private:
  std::vector<std::string_view> parts_;
};

bool match_from(const std::vector<Segment>& segments, size_t s, const Components& path, size_t p) {
  while (s < segments.size()) {
    const Segment& segment = segments[s];
    if (segment.kind == Segment::Kind::kGlobStar) {
      if (s + 1 == segments.size()) return path.size() > p;  // trailing "/**": one or more
      for (size_t q = p; q <= path.size(); ++q) {
        if (match_from(segments, s + 1, path, q)) return true;
      }
      return false;
    }
    if (p == path.size() || !segment_matches(segment, path[p])) return false;
    ++s;
    ++p;
  }
  return p == path.size();
}

bool prefix_could_match(const std::vector<Segment>& segments, size_t s, const Components& dir,
                        size_t p) {
  while (p < dir.size()) {
    if (s == segments.size()) return false;
    if (segments[s].kind == Segment::Kind::kGlobStar) return true;
    if (!segment_matches(segments[s], dir[p])) return false;
    ++s;
    ++p;
  }
  return s < segments.size();
}

}  // namespace

Result<GlobPattern> GlobPattern::compile(std::string_view pattern, Options options) {
  GlobPattern glob;
  glob.source_ = std::string(pattern);
  std::vector<std::string> expanded;
  if (options.braces) {
    if (auto status = expand_braces(pattern, expanded); !status) return status.take_error();
  } else {
    expanded.emplace_back(pattern);
  }
  for (const auto& text : expanded) glob.alternatives_.push_back(parse_alternative(text));
  return glob;
}

bool GlobPattern::matches(std::string_view path) const {
  // A single-component pattern against a single-component path needs no splitting.
  if (alternatives_.size() == 1 && alternatives_[0].segments.size() == 1 &&
      path.find('/') == std::string_view::npos && !path.empty()) {
    return segment_matches(alternatives_[0].segments[0], path);
  }
  const Components components(path);
  for (const auto& alternative : alternatives_) {
    if (match_from(alternative.segments, 0, components, 0)) return true;
  }
  return false;
}

bool GlobPattern::could_match_beneath(std::string_view dir) const {
  const Components components(dir);
  for (const auto& alternative : alternatives_) {
    if (prefix_could_match(alternative.segments, 0, components, 0)) return true;
  }
  return false;
}

}  // namespace benchtop
