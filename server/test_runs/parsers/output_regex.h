// Regular expressions for reading what test runners print, on PCRE2.
//
// std::regex was used here first; libstdc++'s matcher recurses once per character, and a single
// 100 KB line of test output (a long assertion message, a long test name) overflowed the stack
// and ended the server. PCRE2 backtracks on the heap under a match limit; a match that hits the
// limit counts as no match. Patterns are byte-oriented (test output need not be valid UTF-8) and
// `$` means the end of the subject only, as it did with std::regex.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop::test_runs {

class OutputRegex {
 public:
  // A successful match: group 0 is the whole match; groups that took no part are "".
  struct Match {
    std::vector<std::string> groups;
    size_t end = 0;  // offset just past the match in the subject
    const std::string& operator[](size_t group) const { return groups.at(group); }
  };

  // Throws std::invalid_argument when `pattern` does not compile (patterns are literals).
  explicit OutputRegex(std::string_view pattern);
  ~OutputRegex();
  OutputRegex(const OutputRegex&) = delete;
  OutputRegex& operator=(const OutputRegex&) = delete;

  // A match of the whole subject (std::regex_match).
  std::optional<Match> match(std::string_view subject) const;
  // The first match starting at or after `from` (std::regex_search).
  std::optional<Match> search(std::string_view subject, size_t from = 0) const;
  // Every non-overlapping match, in order.
  std::vector<Match> search_all(std::string_view subject) const;

 private:
  std::optional<Match> run(std::string_view subject, size_t from, bool whole) const;
  struct Code;
  std::unique_ptr<Code> code_;
};

}  // namespace benchtop::test_runs
