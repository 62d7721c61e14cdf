// parse_patch, the lines both parsers read, and the envelope form:
//
//   *** Begin Patch
//   *** Add File: <path>        then the file's lines, each after a '+'
//   *** Delete File: <path>     nothing follows
//   *** Update File: <path>
//   *** Move to: <path>         optional: the file's new path
//   @@ <a line of the file>     optional anchors before a hunk: the hunk comes after that line
//    context / -removed / +added lines
//   *** End of File             optional: the hunk's old lines end the file
//   *** End Patch
#include <charconv>

#include "common/utf8.h"
#include "server/workspace/patch/patch.h"
#include "server/workspace/patch/patch_text.h"

namespace benchtop::patch {

PatchText::PatchText(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines_.push_back(text.substr(start));
      break;
    }
    lines_.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string_view PatchText::bare(size_t index) const {
  std::string_view line = lines_[index];
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool PatchText::blank(size_t index) const {
  return trim_whitespace(lines_[index]).empty();
}

std::string quoted(std::string_view line) {
  constexpr size_t kShown = 80;
  if (line.size() <= kShown) return "'" + std::string(line) + "'";
  return "'" + std::string(line.substr(0, utf8_floor(line, kShown))) + "...'";
}

Error invalid_at(size_t index, const std::string& message) {
  return Error::make("Line " + std::to_string(index + 1) + ": " + message, "invalid_patch");
}

namespace {

// Reads a decimal number at the front of `text`, consuming it.
std::optional<size_t> take_number(std::string_view& text) {
  size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || value > 1'000'000'000) return std::nullopt;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return value;
}

bool take(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// "start[,count]" (a missing count is 1).
bool take_side(std::string_view& text, size_t& start, size_t& count) {
  auto first = take_number(text);
  if (!first) return false;
  start = *first;
  count = 1;
  if (take(text, ",")) {
    auto second = take_number(text);
    if (!second) return false;
    count = *second;
  }
  return true;
}

}  // namespace

std::optional<HunkRange> parse_hunk_range(std::string_view header) {
  HunkRange range;
  if (!take(header, "@@ -") || !take_side(header, range.old_start, range.old_count) ||
      !take(header, " +") || !take_side(header, range.new_start, range.new_count) ||
      !take(header, " @@")) {
    return std::nullopt;
  }
  if (!header.empty() && header.front() != ' ' && header.front() != '\t') return std::nullopt;
  return range;
}

namespace {

constexpr std::string_view kBeginPatch = "*** Begin Patch";
constexpr std::string_view kEndPatch = "*** End Patch";
constexpr std::string_view kAddFile = "*** Add File:";
constexpr std::string_view kDeleteFile = "*** Delete File:";
constexpr std::string_view kUpdateFile = "*** Update File:";
constexpr std::string_view kMoveTo = "*** Move to:";
constexpr std::string_view kEndOfFile = "*** End of File";

class EnvelopeParser {
 public:
  EnvelopeParser(const PatchText& text, size_t begin, size_t end)
      : text_(text), at_(begin + 1), end_(end - 1) {}

  Result<Patch> parse() {
    if (trim_whitespace(text_.bare(end_)) != kEndPatch) {
      return invalid_at(end_, "the patch must end with a '*** End Patch' line, not " +
                                  quoted(text_.bare(end_)) + ".");
    }
    Patch patch;
    patch.format = Format::kEnvelope;
    while (at_ < end_) {
      if (text_.blank(at_)) {
        ++at_;
        continue;
      }
      const std::string_view line = trim_whitespace(text_.bare(at_));
      Result<FilePatch> file = Error{};
      if (line.starts_with(kAddFile)) {
        file = add_file();
      } else if (line.starts_with(kDeleteFile)) {
        file = delete_file();
      } else if (line.starts_with(kUpdateFile)) {
        file = update_file();
      } else {
        return invalid_at(at_,
                          "expected '*** Add File: <path>', '*** Update File: <path>', "
                          "'*** Delete File: <path>' or '*** End Patch', not " +
                              quoted(line) + ".");
      }
      if (!file) return file.take_error();
      patch.files.push_back(std::move(file).value());
    }
    if (patch.files.empty()) {
      return invalid_at(end_,
                        "the patch has no '*** Add File', '*** Update File' or "
                        "'*** Delete File' section.");
    }
    return patch;
  }

 private:
  // What follows `marker` on the line (a path).
  std::string after_marker(size_t index, std::string_view marker) const {
    return std::string(trim_whitespace(trim_whitespace(text_.bare(index)).substr(marker.size())));
  }

  // The path after a section marker, and the section started at the current line.
  Result<FilePatch> section(FileAction action, std::string_view marker) {
    FilePatch file;
    file.action = action;
    file.patch_line = at_ + 1;
    file.path = after_marker(at_, marker);
    if (file.path.empty()) return invalid_at(at_, "the section names no path.");
    ++at_;
    return file;
  }

  // True when the next non-blank line from `index` is a "***" marker.
  bool marker_follows(size_t index) const {
    while (index < end_ && text_.blank(index)) ++index;
    return index == end_ || trim_whitespace(text_.bare(index)).starts_with("***");
  }

  Result<FilePatch> add_file() {
    auto file = section(FileAction::kAdd, kAddFile);
    if (!file) return file;
    Hunk content;
    content.patch_line = at_ + 1;
    for (; at_ < end_; ++at_) {
      const std::string_view line = text_.raw(at_);
      if (line.starts_with('+')) {
        content.lines.push_back({'+', std::string(line.substr(1))});
        continue;
      }
      if (marker_follows(at_)) break;
      if (text_.blank(at_)) {
        return invalid_at(at_,
                          "an empty line inside an added file: write every line of a new "
                          "file after a '+', an empty one as '+' alone.");
      }
      return invalid_at(
          at_, "each line of an added file starts with '+', not " + quoted(text_.bare(at_)) + ".");
    }
    if (!content.lines.empty()) file->hunks.push_back(std::move(content));
    return file;
  }

  Result<FilePatch> delete_file() {
    auto file = section(FileAction::kDelete, kDeleteFile);
    if (!file) return file;
    if (!marker_follows(at_)) {
      return invalid_at(at_,
                        "'*** Delete File' takes no lines; the next line must start "
                        "another section or be '*** End Patch'.");
    }
    return file;
  }

  Result<FilePatch> update_file() {
    const size_t header = at_;
    auto file = section(FileAction::kUpdate, kUpdateFile);
    if (!file) return file;
    if (at_ < end_ && trim_whitespace(text_.bare(at_)).starts_with(kMoveTo)) {
      file->move_to = after_marker(at_, kMoveTo);
      if (file->move_to->empty()) return invalid_at(at_, "'*** Move to:' names no path.");
      ++at_;
    }
    std::optional<Hunk> hunk;
    size_t trailing_blanks = 0;  // blank lines at the end of a hunk separate, they do not match
    const auto finish = [&]() -> Status {
      if (!hunk) return {};
      hunk->lines.resize(hunk->lines.size() - trailing_blanks);
      trailing_blanks = 0;
      if (hunk->lines.empty()) {
        return invalid_at(hunk->patch_line - 1,
                          "the hunk has no lines: follow '@@' with "
                          "' ' (unchanged), '-' (removed) and '+' (added) "
                          "lines.");
      }
      file->hunks.push_back(std::move(*hunk));
      hunk.reset();
      return {};
    };
    const auto start = [&](std::string header_line) {
      hunk.emplace();
      hunk->header = std::move(header_line);
      hunk->patch_line = at_ + 1;
    };
    for (; at_ < end_; ++at_) {
      const std::string_view line = text_.bare(at_);
      if (line.starts_with("***") && trim_whitespace(line) == kEndOfFile) {
        if (!hunk || hunk->lines.size() == trailing_blanks) {
          return invalid_at(at_, "'*** End of File' must follow a hunk's lines.");
        }
        hunk->at_end_of_file = true;
        if (auto status = finish(); !status) return status.take_error();
        continue;
      }
      if (line.starts_with("***")) break;
      if (line.starts_with("@@")) {
        if (hunk && hunk->lines.size() > trailing_blanks) {
          if (auto status = finish(); !status) return status.take_error();
        }
        if (!hunk) {
          start(std::string(line));
        } else {
          hunk->lines.clear();  // blank lines between a hunk's @@ lines
          trailing_blanks = 0;
        }
        // A unified-diff header gives a line number; any other text names a line to find.
        if (auto range = parse_hunk_range(line)) {
          hunk->old_start = range->old_start;
        } else if (std::string_view anchor = trim_whitespace(line.substr(2)); !anchor.empty()) {
          hunk->anchors.emplace_back(anchor);
        }
        continue;
      }
      if (line.empty()) {
        if (hunk) {
          hunk->lines.push_back({' ', std::string(text_.raw(at_))});
          ++trailing_blanks;
        }
        continue;
      }
      const char kind = line.front();
      if (kind != ' ' && kind != '-' && kind != '+') {
        return invalid_at(at_, quoted(line) +
                                   " is not a hunk line: start each line with ' ' (unchanged), "
                                   "'-' (removed) or '+' (added), and each hunk with '@@'.");
      }
      if (!hunk) start("");
      hunk->lines.push_back({kind, std::string(text_.raw(at_).substr(1))});
      trailing_blanks = 0;
    }
    if (auto status = finish(); !status) return status.take_error();
    if (file->hunks.empty() && !file->move_to) {
      return invalid_at(header, "'*** Update File: " + file->path +
                                    "' has no hunks; add '@@' hunks, or use '*** Move to:' to "
                                    "rename it.");
    }
    return file;
  }

  const PatchText& text_;
  size_t at_;
  size_t end_;  // the "*** End Patch" line
};

}  // namespace

Result<Patch> parse_envelope(const PatchText& text, size_t begin, size_t end) {
  return EnvelopeParser(text, begin, end).parse();
}

Result<Patch> parse_patch(std::string_view input) {
  if (input.size() > kMaxPatchBytes) {
    return Error::make("The patch is " + std::to_string(input.size()) +
                           " bytes; at most 4 MiB are accepted. Split it into several patches.",
                       "too_large");
  }
  const PatchText text(input);
  // Leading blank lines go, and trailing empty ones; a trailing " " may be a diff's last line.
  size_t begin = 0, end = text.size();
  while (begin < end && text.blank(begin)) ++begin;
  while (end > begin && text.bare(end - 1).empty()) --end;
  const auto last_non_blank = [&] {
    size_t last = end;
    while (last > begin && text.blank(last - 1)) --last;
    return last;
  };
  if (begin < end && text.bare(begin).starts_with("```")) {
    const size_t last = last_non_blank();
    if (last - begin >= 2 && trim_whitespace(text.bare(last - 1)) == "```") {
      ++begin;
      end = last - 1;
      while (begin < end && text.blank(begin)) ++begin;
      while (end > begin && text.bare(end - 1).empty()) --end;
    }
  }
  if (begin == end) return Error::make("The patch is empty.", "invalid_patch");
  if (trim_whitespace(text.bare(begin)) == kBeginPatch) {
    end = last_non_blank();
    if (end - begin < 2) return invalid_at(begin, "the patch ends after '*** Begin Patch'.");
    return parse_envelope(text, begin, end);
  }
  return parse_unified_diff(text, begin, end);
}

std::string_view to_string(Change change) {
  switch (change) {
    case Change::kAdded:
      return "added";
    case Change::kUpdated:
      return "updated";
    case Change::kDeleted:
      return "deleted";
    case Change::kMoved:
      return "moved";
  }
  return "updated";
}

std::string_view to_string(Failure failure) {
  switch (failure) {
    case Failure::kContextNotFound:
      return "context_not_found";
    case Failure::kAmbiguous:
      return "ambiguous";
    case Failure::kFileMissing:
      return "file_missing";
    case Failure::kFileExists:
      return "file_exists";
    case Failure::kRefused:
      return "refused";
    case Failure::kIoError:
      return "io_error";
  }
  return "refused";
}

}  // namespace benchtop::patch
