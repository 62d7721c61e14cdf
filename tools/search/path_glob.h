// How the search tools apply a glob to the entries beneath a search directory, the way .gitignore
// and `rg -g` do: a pattern without '/' matches the entry's name at any depth ("*.py" finds every
// Python file); a pattern with a '/' matches the whole path relative to the search directory
// ("src/**/*.h"); a leading "/" or "./" anchors a slash-free pattern to the search directory
// itself ("/*.md" = only the top level).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/workspace/search/glob_pattern.h"

namespace benchtop {

class PathGlob {
 public:
  static Result<PathGlob> compile(std::string_view pattern);

  // `relative` is the entry's path relative to the search directory, `name` its last component.
  bool matches(std::string_view relative, std::string_view name) const {
    return glob_.matches(by_name_ ? name : relative);
  }
  // Whether the walker must enter directory `relative` to find matches.
  bool worth_entering(std::string_view relative) const {
    return by_name_ || glob_.could_match_beneath(relative);
  }
  // Whether the pattern spells out a hidden component (".github/**", "**/.env"), in which case
  // the caller clearly wants hidden entries.
  bool names_hidden() const { return names_hidden_; }
  bool by_name() const { return by_name_; }

 private:
  GlobPattern glob_;
  bool by_name_ = false;
  bool names_hidden_ = false;
};

}  // namespace benchtop
