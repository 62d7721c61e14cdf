#include "server/workspace/patch/hunk_match.h"

#include <algorithm>

#include "server/workspace/patch/patch_text.h"

namespace benchtop::patch {
namespace {

struct SourceLine {
  std::string_view text;  // without the line end
  std::string_view eol;   // "\n", "\r\n", or "" for a last line without a newline
};

struct Source {
  std::vector<SourceLine> lines;
  bool final_newline = true;  // an empty file counts as ending with one
  std::string_view eol;       // the line end most lines have; "" when no line has one
};

Source split(std::string_view text) {
  Source source;
  size_t crlf = 0, lf = 0;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      source.lines.push_back({text.substr(start), ""});
      source.final_newline = false;
      break;
    }
    const bool cr = end > start && text[end - 1] == '\r';
    ++(cr ? crlf : lf);
    const size_t text_end = cr ? end - 1 : end;
    source.lines.push_back(
        {text.substr(start, text_end - start), text.substr(text_end, end + 1 - text_end)});
    start = end + 1;
  }
  source.eol = crlf > lf ? "\r\n" : (lf > 0 ? "\n" : "");
  return source;
}

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string after_line(size_t from) {
  return from == 0 ? "" : " after line " + std::to_string(from);
}

std::string plural(size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Finding a hunk's old lines among the file's lines. Comparisons are counted so that explaining
// a miss stays cheap on a large file.
class Finder {
 public:
  Finder(const Source& source, std::vector<std::string_view> old)
      : lines_(source.lines), old_(std::move(old)) {}

  size_t size() const { return old_.size(); }

  bool matches_at(size_t at) const {
    if (at + old_.size() > lines_.size()) return false;
    for (size_t k = 0; k < old_.size(); ++k) {
      if (without_cr(lines_[at + k].text) != without_cr(old_[k])) return false;
    }
    return true;
  }

  // Where the old lines start, from `from` on, at most `limit` places.
  std::vector<size_t> find(size_t from, size_t limit) const {
    std::vector<size_t> found;
    for (size_t at = from; at + old_.size() <= lines_.size() && found.size() < limit; ++at) {
      if (matches_at(at)) found.push_back(at);
    }
    return found;
  }

  // The first line from `from` on that is `anchor`, surrounding whitespace aside.
  std::optional<size_t> find_anchor(size_t from, std::string_view anchor) const {
    for (size_t at = from; at < lines_.size(); ++at) {
      if (trim_whitespace(lines_[at].text) == trim_whitespace(anchor)) return at;
    }
    return std::nullopt;
  }

  // Why the old lines are not found from `from` on: a block that differs only in whitespace,
  // a match before `from`, or the longest run of them that does match.
  std::string why_not_found(size_t from) const {
    const size_t m = old_.size();
    size_t budget = 20'000'000;  // line comparisons
    for (size_t at = from; at + m <= lines_.size() && budget > m; ++at, budget -= m) {
      size_t k = 0;
      while (k < m && trim_whitespace(lines_[at + k].text) == trim_whitespace(old_[k])) ++k;
      if (k == m) {
        return " Lines " + std::to_string(at + 1) + "-" + std::to_string(at + m) +
               " differ from them only in whitespace: copy lines exactly, indentation included.";
      }
    }
    for (size_t at = 0; at < from && budget > m; ++at, budget -= m) {
      if (matches_at(at)) {
        return " They occur at line " + std::to_string(at + 1) +
               ", before the previous hunk: hunks must be in file order and must not overlap.";
      }
    }
    size_t best = 0, best_at = 0;
    for (size_t at = from; at < lines_.size() && budget > 0; ++at, --budget) {
      size_t k = 0;
      while (k < m && at + k < lines_.size() &&
             without_cr(lines_[at + k].text) == without_cr(old_[k])) {
        ++k;
      }
      budget -= std::min(budget, k);
      if (k > best) best = k, best_at = at;
    }
    if (best == 0) {
      return " Its first old line " + quoted(without_cr(old_[0])) + " is not in the file" +
             after_line(from) + ".";
    }
    const size_t differs = best_at + best;
    std::string hint = " The file matches its first " + plural(best, "old line") + " at line " +
                       std::to_string(best_at + 1) + ", but ";
    if (differs == lines_.size()) return hint + "the file ends there.";
    return hint + "line " + std::to_string(differs + 1) + " is " + quoted(lines_[differs].text) +
           " where the hunk has " + quoted(without_cr(old_[best])) + ".";
  }

 private:
  const std::vector<SourceLine>& lines_;
  std::vector<std::string_view> old_;
};

struct Placement {
  size_t at = 0;  // first line replaced
  const Hunk* hunk = nullptr;
  size_t old_size = 0;
};

// Where `hunk` goes, searching from line `from` (0-based); `drift` is how far the file's earlier
// hunks were from their line numbers.
HunkOutcome place(const Source& source, const Hunk& hunk, size_t from, long drift,
                  Placement& placement) {
  std::vector<std::string_view> old;
  for (const HunkLine& line : hunk.lines) {
    if (line.kind != '+') old.push_back(line.text);
  }
  const Finder finder(source, std::move(old));
  const size_t n = source.lines.size(), m = finder.size();
  HunkOutcome outcome;
  const auto fail = [&](Failure reason, std::string message) {
    outcome.reason = reason;
    outcome.message = std::move(message);
    return outcome;
  };

  bool anchored = false;
  for (const std::string& anchor : hunk.anchors) {
    auto found = finder.find_anchor(from, anchor);
    if (!found) {
      return fail(Failure::kContextNotFound,
                  "its @@ line " + quoted(anchor) + " matches no line of the file" +
                      after_line(from) +
                      ". An @@ line names a whole line of the file (indentation aside) that comes "
                      "before the hunk.");
    }
    from = *found + 1;
    anchored = true;
  }

  std::optional<size_t> hint;
  if (hunk.old_start) {
    const long base =
        static_cast<long>(m == 0 ? *hunk.old_start : std::max<size_t>(*hunk.old_start, 1) - 1);
    hint = static_cast<size_t>(std::max(0L, base + drift));
  }

  size_t at = 0;
  if (m == 0) {
    at = hunk.at_end_of_file ? n : hint ? *hint : anchored ? from : n;
    if (at < from || at > n) {
      return fail(Failure::kContextNotFound,
                  "it adds lines after line " + std::to_string(at) + ", but " +
                      (at > n ? "the file has " + plural(n, "line")
                              : std::string("that is before the end of the previous hunk")) +
                      ". Give unchanged lines around the addition so it can be placed.");
    }
  } else if (hunk.at_end_of_file) {
    at = n >= m ? n - m : 0;
    if (n < m || at < from || !finder.matches_at(at)) {
      auto elsewhere = finder.find(from, 1);
      return fail(Failure::kContextNotFound,
                  "its " + plural(m, "old line") + " should end the file, but the file's last " +
                      "lines differ" +
                      (elsewhere.empty() ? "."
                                         : "; they occur at line " +
                                               std::to_string(elsewhere[0] + 1) + " instead."));
    }
  } else if (hint && *hint >= from && finder.matches_at(*hint)) {
    at = *hint;
  } else {
    constexpr size_t kListed = 10;
    auto found = finder.find(from, kListed + 1);
    if (found.empty()) {
      return fail(Failure::kContextNotFound,
                  "its " + plural(m, "old line") + " (' ' and '-') do not occur in the file" +
                      after_line(from) + "." + finder.why_not_found(from));
    }
    if (found.size() > 1 && !anchored) {
      std::string lines;
      for (size_t i = 0; i < found.size() && i < kListed; ++i) {
        lines += (i ? ", " : "") + std::to_string(found[i] + 1);
      }
      if (found.size() > kListed) lines += ", ...";
      return fail(Failure::kAmbiguous,
                  "its " + plural(m, "old line") + " occur at several places" + after_line(from) +
                      " (lines " + lines + ")" +
                      (hint ? ", none of them at line " + std::to_string(*hint + 1) +
                                  " where its header puts them"
                            : "") +
                      ". Add unchanged lines around the change (or an @@ line naming the "
                      "function or section) until they occur once.");
    }
    at = found[0];
  }

  placement = {at, &hunk, m};
  outcome.applied = true;
  outcome.line = at + 1;
  return outcome;
}

}  // namespace

FileEdit apply_hunks(std::string_view original, const std::vector<Hunk>& hunks) {
  const Source source = split(original);
  const size_t n = source.lines.size();
  FileEdit edit;
  std::vector<Placement> placements;
  size_t from = 0;
  long drift = 0;
  for (const Hunk& hunk : hunks) {
    Placement placement;
    HunkOutcome outcome = place(source, hunk, from, drift, placement);
    if (outcome.applied) {
      placements.push_back(placement);
      from = placement.at + placement.old_size;
      if (hunk.old_start) {
        const size_t base =
            placement.old_size == 0 ? *hunk.old_start : std::max<size_t>(*hunk.old_start, 1) - 1;
        drift = static_cast<long>(placement.at) - static_cast<long>(base);
      }
      for (const HunkLine& line : hunk.lines) {
        edit.lines_added += line.kind == '+' ? 1 : 0;
        edit.lines_removed += line.kind == '-' ? 1 : 0;
      }
    }
    edit.hunks.push_back(std::move(outcome));
  }
  if (placements.size() != hunks.size()) return edit;

  const std::string_view default_eol = source.eol.empty() ? "\n" : source.eol;
  const auto added_eol = [&](std::string_view text) -> std::string_view {
    if (!source.eol.empty()) return source.eol;
    return !text.empty() && text.back() == '\r' ? "\r\n" : "\n";
  };
  std::vector<SourceLine> result;
  result.reserve(n);
  bool final_newline = source.final_newline;
  size_t cursor = 0;
  for (const Placement& placement : placements) {
    result.insert(result.end(), source.lines.begin() + static_cast<long>(cursor),
                  source.lines.begin() + static_cast<long>(placement.at));
    size_t k = placement.at;
    for (const HunkLine& line : placement.hunk->lines) {
      if (line.kind == ' ') {
        result.push_back(source.lines[k++]);
      } else if (line.kind == '-') {
        ++k;
      } else {
        result.push_back({without_cr(line.text), added_eol(line.text)});
      }
    }
    cursor = k;
    const Hunk& hunk = *placement.hunk;
    if ((hunk.old_missing_newline || hunk.new_missing_newline) && cursor == n) {
      final_newline = !hunk.new_missing_newline;
    }
  }
  result.insert(result.end(), source.lines.begin() + static_cast<long>(cursor), source.lines.end());

  std::string text;
  text.reserve(original.size() + 64);
  for (size_t i = 0; i < result.size(); ++i) {
    std::string_view eol = result[i].eol;
    if (i + 1 < result.size() || final_newline) {
      if (eol.empty()) eol = default_eol;
    } else {
      eol = "";
    }
    text.append(result[i].text).append(eol);
  }
  edit.text = std::move(text);
  return edit;
}

}  // namespace benchtop::patch
