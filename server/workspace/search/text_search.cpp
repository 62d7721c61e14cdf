#define PCRE2_CODE_UNIT_WIDTH 8
#include "server/workspace/search/text_search.h"

#include <pcre2.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <mutex>
#include <thread>

#include "common/utf8.h"
#include "server/workspace/search/whole_file.h"

namespace benchtop {

struct TextMatcher::Impl {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Impl() {
    if (code) pcre2_code_free(code);
  }
};

namespace {

// Bounds the work one pathological pattern can do on one file (catastrophic backtracking).
constexpr uint32_t kMatchLimit = 50'000'000;
constexpr size_t kJitStackStart = 32 * 1024;
constexpr size_t kJitStackMax = 4 * 1024 * 1024;
// Below this many files a second thread costs more than it saves.
constexpr size_t kFilesPerExtraThread = 64;

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0) return "unknown error";
  return reinterpret_cast<const char*>(buffer);
}

// Newlines in [p, p + n), eight bytes at a time: a byte is zero after XOR with '\n' exactly when
// it was a newline, and the add-and-mask trick flags non-zero bytes without carries between them.
size_t count_newlines(const char* p, size_t n) {
  constexpr uint64_t kNewlines = 0x0A0A0A0A0A0A0A0AULL;
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  size_t count = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    word ^= kNewlines;
    const uint64_t nonzero = ((word & kLow7) + kLow7) | word;
    count += static_cast<size_t>(std::popcount(~(nonzero | kLow7)));
  }
  for (; i < n; ++i) count += p[i] == '\n';
  return count;
}

size_t line_start_before(const char* data, size_t floor, size_t at) {
  if (at <= floor) return floor;
  const void* nl = ::memrchr(data + floor, '\n', at - floor);
  return nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) + 1 : floor;
}

size_t line_end_from(const char* data, size_t size, size_t at) {
  if (at >= size) return size;
  const void* nl = std::memchr(data + at, '\n', size - at);
  return nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) : size;
}

// A line for display: without '\r', cut to a window around `focus` when too long, valid UTF-8.
std::string render_line(std::string_view line, size_t focus, size_t max_bytes) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() <= max_bytes) return valid_utf8(line);
  size_t start = focus > max_bytes / 4 ? focus - max_bytes / 4 : 0;
  start = utf8_floor(line, start);
  std::string_view window = line.substr(start);
  window = window.substr(0, utf8_floor(window, max_bytes));
  std::string out;
  if (start > 0) out.append("\xE2\x80\xA6");  // "…"
  out.append(valid_utf8(window));
  if (start + window.size() < line.size()) out.append("\xE2\x80\xA6");
  return out;
}

}  // namespace

TextMatcher::TextMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TextMatcher::TextMatcher(TextMatcher&&) noexcept = default;
TextMatcher& TextMatcher::operator=(TextMatcher&&) noexcept = default;
TextMatcher::~TextMatcher() = default;

Result<TextMatcher> TextMatcher::compile(std::string_view pattern, MatcherOptions options) {
  // UTF mode so '.' and classes see characters, with invalid UTF-8 in files tolerated rather than
  // failing the match. MULTILINE makes ^ and $ match at line boundaries in the whole buffer.
  uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (options.literal) {
    flags |= PCRE2_LITERAL;
  } else {
    flags |= PCRE2_MULTILINE;
  }
  if (options.ignore_case) flags |= PCRE2_CASELESS;

  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_compile_context* context = pcre2_compile_context_create(nullptr);
  // CRLF files: '$' must match before "\r\n" too, and '.' must not eat the '\r'.
  pcre2_set_newline(context, PCRE2_NEWLINE_ANYCRLF);
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   flags, &error_code, &error_offset, context);
  pcre2_compile_context_free(context);
  if (!code) {
    return Error::make("Invalid regular expression at offset " + std::to_string(error_offset) +
                           ": " + pcre2_message(error_code) +
                           ". Escape special characters with '\\', or pass literal: true to "
                           "search for the text as written.",
                       "invalid_pattern");
  }
  auto impl = std::make_unique<Impl>();
  impl->code = code;
  impl->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return TextMatcher(std::move(impl));
}

struct BufferSearcher::State {
  const TextMatcher::Impl& matcher;
  pcre2_match_data* match_data = nullptr;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;

  explicit State(const TextMatcher::Impl& m) : matcher(m) {
    match_data = pcre2_match_data_create_from_pattern(matcher.code, nullptr);
    match_context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(match_context, kMatchLimit);
    if (matcher.jit) {
      jit_stack = pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr);
      pcre2_jit_stack_assign(match_context, nullptr, jit_stack);
    }
  }
  ~State() {
    pcre2_match_data_free(match_data);
    pcre2_match_context_free(match_context);
    if (jit_stack) pcre2_jit_stack_free(jit_stack);
  }

  // Finds the first match in subject[start, length). Returns false on no match or on a matching
  // error (limit exceeded), which ends the search of this buffer.
  bool find(const char* subject, size_t length, size_t start, size_t& match_start,
            size_t& match_end) {
    const auto* s = reinterpret_cast<PCRE2_SPTR>(subject);
    const int rc =
        matcher.jit ? pcre2_jit_match(matcher.code, s, length, start, 0, match_data, match_context)
                    : pcre2_match(matcher.code, s, length, start, 0, match_data, match_context);
    if (rc < 0) return false;
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
    match_start = ovector[0];
    match_end = ovector[1];
    return true;
  }

  // The next line (at or after `from`, which is a line start) with a match inside it. Sets the
  // line's bounds and the match column within it.
  bool next_matching_line(std::string_view buffer, size_t from, size_t& line_start,
                          size_t& line_end, size_t& column) {
    const char* data = buffer.data();
    const size_t size = buffer.size();
    while (from < size) {
      size_t ms = 0, me = 0;
      if (!find(data, size, from, ms, me)) return false;
      line_start = line_start_before(data, from, ms);
      if (line_start >= size) return false;  // an empty match after the final newline
      line_end = line_end_from(data, size, ms);
      if (me <= line_end) {
        column = ms - line_start;
        return true;
      }
      // The match ran across a newline: the line matches only if the pattern matches the line
      // on its own.
      size_t ls = 0, le = 0;
      if (find(data + line_start, line_end - line_start, 0, ls, le)) {
        column = ls;
        return true;
      }
      from = line_end + 1;
    }
    return false;
  }
};

BufferSearcher::BufferSearcher(const TextMatcher& matcher)
    : state_(std::make_unique<State>(matcher.impl())) {}
BufferSearcher::~BufferSearcher() = default;

bool BufferSearcher::any_match(std::string_view buffer) {
  size_t ls = 0, le = 0, column = 0;
  return state_->next_matching_line(buffer, 0, ls, le, column);
}

bool BufferSearcher::search(std::string_view buffer, const LineSearchLimits& limits, size_t limit,
                            std::vector<LineMatch>& out) {
  const char* data = buffer.data();
  const size_t size = buffer.size();
  const size_t first_new = out.size();
  size_t position = 0;       // next line start to search from
  size_t counted_until = 0;  // newlines before this offset are counted in `line_number`
  uint64_t line_number = 1;
  size_t shown_until = 0;  // lines starting before this offset were already shown
  size_t found = 0;

  size_t line_start = 0, line_end = 0, column = 0;
  while (position < size &&
         state_->next_matching_line(buffer, position, line_start, line_end, column)) {
    if (found == limit) return true;
    ++found;
    line_number += count_newlines(data + counted_until, line_start - counted_until);
    counted_until = line_start;

    LineMatch match;
    match.line = line_number;
    match.column = static_cast<uint32_t>(column + 1);
    match.text = render_line(buffer.substr(line_start, line_end - line_start), column,
                             limits.max_line_bytes);

    if (out.size() > first_new) {
      // The previous match's after-context stops before this line.
      LineMatch& previous = out.back();
      const uint64_t gap = line_number - previous.line - 1;
      if (previous.after.size() > gap) previous.after.resize(gap);
    }
    // Before-context: walk back over at most context_before lines not yet shown.
    std::vector<std::string_view> before;
    for (size_t end = line_start; before.size() < limits.context_before && end > shown_until;) {
      const size_t start = line_start_before(data, shown_until, end - 1);
      before.push_back(buffer.substr(start, end - 1 - start));
      end = start;
    }
    for (auto it = before.rbegin(); it != before.rend(); ++it) {
      match.before.push_back(render_line(*it, 0, limits.max_line_bytes));
    }
    // After-context: the next lines, trimmed later if another match comes first.
    size_t next = line_end + 1;
    for (size_t k = 0; k < limits.context_after && next < size; ++k) {
      const size_t end = line_end_from(data, size, next);
      match.after.push_back(render_line(buffer.substr(next, end - next), 0, limits.max_line_bytes));
      next = end + 1;
    }
    shown_until = std::max(line_end + 1, std::min(next, size));
    out.push_back(std::move(match));
    position = line_end + 1;
  }
  return false;
}

namespace {

// Work shared by the pool. Files are taken in order; once the files completed in order from the
// first one hold max_results matches, no later file is started. That keeps the report identical
// whatever the interleaving of threads.
class SearchJob {
 public:
  SearchJob(const Workspace& workspace, const TextMatcher& matcher,
            const std::vector<std::string>& paths, const FileSearchOptions& options)
      : workspace_(workspace),
        matcher_(matcher),
        paths_(paths),
        options_(options),
        outcomes_(paths.size(), ReadOutcome::kNotRead),
        matches_(paths.size()),
        more_(paths.size(), 0),
        done_(paths.size(), 0) {}

  void run_worker() {
    BufferSearcher searcher(matcher_);
    ReadBuffer buffer;
    const size_t per_file = std::min(options_.max_per_file, options_.max_results);
    for (;;) {
      const size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= paths_.size() || i >= stop_at_.load(std::memory_order_acquire)) return;
      if (options_.cancellation.cancelled()) {
        cancelled_.store(true, std::memory_order_relaxed);
        return;
      }
      std::string_view contents;
      ReadOutcome outcome = read_whole_file(workspace_.root_fd(), paths_[i],
                                            options_.max_file_bytes, buffer, contents);
      if (outcome == ReadOutcome::kRead) {
        more_[i] = searcher.search(contents, options_.lines, per_file, matches_[i]) ? 1 : 0;
      }
      outcomes_[i] = outcome;
      complete(i);
    }
  }

  FileSearchReport report() {
    FileSearchReport report;
    report.cancelled = cancelled_.load();
    const size_t searched_prefix = std::min(stop_at_.load(), paths_.size());
    for (size_t i = 0; i < paths_.size(); ++i) {
      switch (outcomes_[i]) {
        case ReadOutcome::kRead:
          ++report.files_searched;
          break;
        case ReadOutcome::kBinary:
          ++report.binary_skipped;
          break;
        case ReadOutcome::kTooLarge:
          ++report.large_skipped;
          break;
        case ReadOutcome::kUnreadable:
          ++report.unreadable;
          break;
        case ReadOutcome::kNotRead:
          break;
      }
    }
    for (size_t i = 0; i < searched_prefix; ++i) {
      if (matches_[i].empty()) continue;
      const size_t room = options_.max_results - report.total_matches;
      if (room == 0) {
        report.truncated = true;
        break;
      }
      FileMatches file{paths_[i], std::move(matches_[i]), more_[i] != 0};
      if (file.matches.size() > room) {
        file.matches.resize(room);
        file.more_in_file = true;
      }
      report.total_matches += file.matches.size();
      report.truncated = report.truncated || file.more_in_file;
      report.files.push_back(std::move(file));
    }
    // Files never started because the cap was reached may hold more matches.
    if (searched_prefix < paths_.size() && report.total_matches >= options_.max_results) {
      report.truncated = true;
    }
    return report;
  }

 private:
  void complete(size_t i) {
    std::lock_guard lock(mutex_);
    done_[i] = 1;
    while (prefix_ < paths_.size() && done_[prefix_]) {
      prefix_matches_ += matches_[prefix_].size();
      ++prefix_;
      if (prefix_matches_ >= options_.max_results) {
        stop_at_.store(prefix_, std::memory_order_release);
        return;
      }
    }
  }

  const Workspace& workspace_;
  const TextMatcher& matcher_;
  const std::vector<std::string>& paths_;
  const FileSearchOptions& options_;
  // Element i is written only by the thread that took file i, and read after all threads join.
  std::vector<ReadOutcome> outcomes_;
  std::vector<std::vector<LineMatch>> matches_;
  std::vector<uint8_t> more_;

  std::atomic<size_t> next_{0};
  std::atomic<size_t> stop_at_{SIZE_MAX};
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
  std::vector<uint8_t> done_;
  size_t prefix_ = 0;
  size_t prefix_matches_ = 0;
};

}  // namespace

FileSearchReport search_files(const Workspace& workspace, const TextMatcher& matcher,
                              const std::vector<std::string>& paths,
                              const FileSearchOptions& options) {
  SearchJob job(workspace, matcher, paths, options);
  if (options.max_results == 0) return job.report();
  const size_t wanted = std::max<size_t>(1, options.threads);
  const size_t useful = 1 + paths.size() / kFilesPerExtraThread;
  const size_t threads = std::min(wanted, useful);
  {
    std::vector<std::jthread> helpers;
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back([&job] { job.run_worker(); });
    job.run_worker();
  }  // joins the helpers
  return job.report();
}

}  // namespace benchtop
