#include "server/workspace/search/gitignore.h"

namespace benchtop {
namespace {

// Drops trailing spaces that are not escaped with a backslash (gitignore(5)).
std::string_view trim_trailing_spaces(std::string_view line) {
  while (!line.empty() && line.back() == ' ') {
    if (line.size() >= 2 && line[line.size() - 2] == '\\') break;
    line.remove_suffix(1);
  }
  return line;
}

bool has_unescaped_slash(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '/') {
      return true;
    }
  }
  return false;
}

// `path` relative to `base`, or nullopt-like empty view when `path` is not beneath it.
bool relative_to(std::string_view path, std::string_view base, std::string_view& out) {
  if (base.empty()) {
    out = path;
    return true;
  }
  if (path.size() <= base.size() || !path.starts_with(base) || path[base.size()] != '/') {
    return false;
  }
  out = path.substr(base.size() + 1);
  return true;
}

}  // namespace

GitignoreFile GitignoreFile::parse(std::string_view contents, std::string base) {
  GitignoreFile file;
  file.base_ = std::move(base);
  size_t start = 0;
  while (start < contents.size()) {
    size_t end = contents.find('\n', start);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(start, end - start);
    start = end + 1;

    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim_trailing_spaces(line);
    if (line.empty() || line.front() == '#') continue;

    Rule rule{GlobPattern{}, false, false, false};
    if (line.front() == '!') {
      rule.negated = true;
      line.remove_prefix(1);
    }
    // An escaped trailing slash is not a directory marker, but that is vanishingly rare; git
    // itself treats "foo\/" inconsistently across versions.
    while (!line.empty() && line.back() == '/') {
      rule.dir_only = true;
      line.remove_suffix(1);
    }
    bool anchored = false;
    if (!line.empty() && line.front() == '/') {
      anchored = true;
      line.remove_prefix(1);
    }
    if (line.empty()) continue;
    anchored = anchored || has_unescaped_slash(line);
    rule.basename_only = !anchored;
    auto glob = GlobPattern::compile(line, {.braces = false});
    if (!glob) continue;  // cannot happen without braces; a bad line is skipped like git does
    rule.glob = std::move(glob).value();
    file.rules_.push_back(std::move(rule));
  }
  return file;
}

IgnoreMatch GitignoreFile::match(std::string_view path, bool is_dir) const {
  std::string_view relative;
  if (!relative_to(path, base_, relative)) return IgnoreMatch::kNone;
  std::string_view basename = relative;
  if (size_t slash = relative.rfind('/'); slash != std::string_view::npos) {
    basename = relative.substr(slash + 1);
  }
  for (auto rule = rules_.rbegin(); rule != rules_.rend(); ++rule) {
    if (rule->dir_only && !is_dir) continue;
    if (rule->glob.matches(rule->basename_only ? basename : relative)) {
      return rule->negated ? IgnoreMatch::kWhitelist : IgnoreMatch::kIgnore;
    }
  }
  return IgnoreMatch::kNone;
}

IgnoreMatch IgnoreStack::match(std::string_view path, bool is_dir) const {
  for (auto file = files_.rbegin(); file != files_.rend(); ++file) {
    const IgnoreMatch verdict = (*file)->match(path, is_dir);
    if (verdict != IgnoreMatch::kNone) return verdict;
  }
  return exclude_ ? exclude_->match(path, is_dir) : IgnoreMatch::kNone;
}

bool IgnoreStack::is_ignored(std::string_view path, bool is_dir) const {
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (match(path.substr(0, slash), true) == IgnoreMatch::kIgnore) return true;
  }
  return match(path, is_dir) == IgnoreMatch::kIgnore;
}

}  // namespace benchtop
