#include "tools/search/path_glob.h"

namespace benchtop {

Result<PathGlob> PathGlob::compile(std::string_view pattern) {
  PathGlob result;
  bool anchored = false;
  while (pattern.starts_with("./")) {
    pattern.remove_prefix(2);
    anchored = true;
  }
  if (pattern.starts_with('/')) {
    pattern.remove_prefix(1);
    anchored = true;
  }
  if (pattern.empty()) {
    return Error::make("The glob pattern is empty; use \"**\" to match everything",
                       "invalid_pattern");
  }
  result.by_name_ = !anchored && pattern.find('/') == std::string_view::npos;
  result.names_hidden_ = pattern.front() == '.' || pattern.find("/.") != std::string_view::npos ||
                         pattern.find("{.") != std::string_view::npos ||
                         pattern.find(",.") != std::string_view::npos;
  auto glob = GlobPattern::compile(pattern);
  if (!glob) return glob.take_error();
  result.glob_ = std::move(glob).value();
  return result;
}

}  // namespace benchtop
