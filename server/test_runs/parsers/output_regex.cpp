#include "server/test_runs/parsers/output_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace benchtop::test_runs {

struct OutputRegex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

OutputRegex::OutputRegex(std::string_view pattern) : code_(std::make_unique<Code>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  code_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_DOLLAR_ENDONLY, &error, &offset, nullptr);
  if (!code_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::invalid_argument("bad pattern at " + std::to_string(offset) + ": " +
                                reinterpret_cast<const char*>(message));
  }
}

OutputRegex::~OutputRegex() = default;

std::optional<OutputRegex::Match> OutputRegex::run(std::string_view subject, size_t from,
                                                   bool whole) const {
  if (from > subject.size()) return std::nullopt;
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(code_->code, nullptr), &pcre2_match_data_free);
  if (!data) return std::nullopt;
  const uint32_t options = whole ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0;
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), from, options, data.get(), nullptr);
  if (rc <= 0) return std::nullopt;  // no match, or a limit reached
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
  Match match;
  match.groups.resize(pcre2_get_ovector_count(data.get()));
  for (size_t group = 0; group < match.groups.size(); ++group) {
    const PCRE2_SIZE begin = ovector[2 * group];
    const PCRE2_SIZE end = ovector[2 * group + 1];
    if (begin != PCRE2_UNSET && end >= begin) {
      match.groups[group] = std::string(subject.substr(begin, end - begin));
    }
  }
  match.end = ovector[1];
  return match;
}

std::optional<OutputRegex::Match> OutputRegex::match(std::string_view subject) const {
  return run(subject, 0, true);
}

std::optional<OutputRegex::Match> OutputRegex::search(std::string_view subject, size_t from) const {
  return run(subject, from, false);
}

std::vector<OutputRegex::Match> OutputRegex::search_all(std::string_view subject) const {
  std::vector<Match> matches;
  size_t from = 0;
  while (auto found = search(subject, from)) {
    // An empty match would find itself again: step past it.
    from = found->end > from ? found->end : from + 1;
    matches.push_back(std::move(*found));
    if (from > subject.size()) break;
  }
  return matches;
}

}  // namespace benchtop::test_runs
