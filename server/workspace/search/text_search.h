// Regular-expression search over file contents with PCRE2 (JIT-compiled).
//
// Each file is read whole and the pattern is run over the whole buffer at once; only around a
// match are line boundaries found (memchr/memrchr) and lines counted. Searching line by line would
// call the matcher once per line, which is what makes naive greps slow. A match that crosses a
// newline is re-checked against its first line alone, so results keep line semantics.
//
// Files with a NUL byte in their first 8 KiB are treated as binary and skipped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/workspace/workspace.h"

namespace benchtop {

struct MatcherOptions {
  bool ignore_case = false;
  bool literal = false;  // the pattern is plain text, not a regular expression
};

// A compiled pattern, shareable between threads (each thread uses its own BufferSearcher).
class TextMatcher {
 public:
  // Fails with code "invalid_pattern" and a message naming the problem and its offset.
  static Result<TextMatcher> compile(std::string_view pattern, MatcherOptions options);

  TextMatcher(TextMatcher&&) noexcept;
  TextMatcher& operator=(TextMatcher&&) noexcept;
  ~TextMatcher();

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit TextMatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct LineSearchLimits {
  size_t context_before = 0;
  size_t context_after = 0;
  size_t max_line_bytes = 400;  // longer lines are cut to a window around the match
};

struct LineMatch {
  uint64_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based byte offset of the first match in the line
  std::string text;     // the line without its end-of-line, valid UTF-8, possibly shortened
  // Context lines, also valid UTF-8. Lines already shown with a neighbouring match are not
  // repeated: before[] starts after the previous match's after[], which stops before this line.
  std::vector<std::string> before;
  std::vector<std::string> after;
};

// Per-thread matching state (match data, JIT stack) for one TextMatcher.
class BufferSearcher {
 public:
  explicit BufferSearcher(const TextMatcher& matcher);
  BufferSearcher(const BufferSearcher&) = delete;
  BufferSearcher& operator=(const BufferSearcher&) = delete;
  ~BufferSearcher();

  // Appends up to `limit` matching lines of `buffer` to `out`. Returns true when it stopped at the
  // limit with more matching lines left.
  bool search(std::string_view buffer, const LineSearchLimits& limits, size_t limit,
              std::vector<LineMatch>& out);

  // Whether any line of `buffer` matches.
  bool any_match(std::string_view buffer);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct FileSearchOptions {
  LineSearchLimits lines;
  size_t max_results = 200;                  // matching lines over all files
  size_t max_per_file = SIZE_MAX;            // matching lines per file
  size_t max_file_bytes = 64 * 1024 * 1024;  // larger files are skipped and counted
  size_t threads = 2;
  CancellationToken cancellation;
};

struct FileMatches {
  std::string path;  // as given
  std::vector<LineMatch> matches;
  bool more_in_file = false;  // stopped at max_per_file (or the overall cap) with more left
};

struct FileSearchReport {
  std::vector<FileMatches> files;  // files with matches, in the order the paths were given
  size_t total_matches = 0;        // sum of files[i].matches.size(), <= max_results
  size_t files_searched = 0;
  size_t binary_skipped = 0;
  size_t large_skipped = 0;
  size_t unreadable = 0;
  bool truncated = false;  // more matches exist (or files were left unsearched) beyond the caps
  bool cancelled = false;
};

// Searches `paths` (relative to the workspace root, e.g. from walk_tree) with a small pool of
// threads. Each file is opened beneath the root fd with openat2(RESOLVE_BENEATH) and O_NOFOLLOW:
// a path that is a symlink is not read, and one whose directories were swapped for symlinks after
// the walk cannot leave the workspace. Only regular files are read. The report is deterministic:
// the same inputs give the same results whatever the thread timing.
FileSearchReport search_files(const Workspace& workspace, const TextMatcher& matcher,
                              const std::vector<std::string>& paths,
                              const FileSearchOptions& options);

}  // namespace benchtop
