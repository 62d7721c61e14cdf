// Unified diffs as `git diff` and `diff -u` write them: an optional "diff --git" line with its
// extended headers (new/deleted file, rename from/to), "--- old" and "+++ new" names ("/dev/null"
// for a side that does not exist), then "@@ -l,n +l,n @@" hunks whose counts say where each ends.
#include <string>

#include "server/workspace/patch/patch.h"
#include "server/workspace/patch/patch_text.h"

namespace benchtop::patch {
namespace {

constexpr std::string_view kDevNull = "/dev/null";

// A name as git quotes it when it holds special characters: "a/tab\there", octal escapes for
// other bytes. `text` starts at the opening quote; `used` receives the quoted name's length.
std::optional<std::string> unquote(std::string_view text, size_t& used) {
  std::string name;
  for (size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      used = i + 1;
      return name;
    }
    if (c != '\\') {
      name.push_back(c);
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    const char escaped = text[i];
    if (escaped >= '0' && escaped <= '7') {
      int value = 0;
      size_t digits = 0;
      for (; digits < 3 && i < text.size() && text[i] >= '0' && text[i] <= '7'; ++digits, ++i) {
        value = value * 8 + (text[i] - '0');
      }
      --i;
      name.push_back(static_cast<char>(value));
      continue;
    }
    // \a \b \f \n \r \t \v; '\\', '"' and anything else stand for themselves.
    constexpr std::string_view kEscapes = "a\ab\bf\fn\nr\rt\tv\v";
    const size_t letter = kEscapes.find(escaped);
    name.push_back(letter != std::string_view::npos && letter % 2 == 0 ? kEscapes[letter + 1]
                                                                       : escaped);
  }
  return std::nullopt;
}

// The name in a "--- " or "+++ " line (after the marker): quoted, or up to a tab that starts a
// timestamp.
std::optional<std::string> header_name(std::string_view text) {
  if (text.starts_with('"')) {
    size_t used = 0;
    return unquote(text, used);
  }
  if (const size_t tab = text.find('\t'); tab != std::string_view::npos) text = text.substr(0, tab);
  text = trim_whitespace(text);
  if (text.empty()) return std::nullopt;
  return std::string(text);
}

std::string_view without_prefix(std::string_view name, std::string_view prefix) {
  return name.starts_with(prefix) ? name.substr(prefix.size()) : name;
}

// The names of "diff --git a/x b/x" when they are the same file (renames say their names in
// "rename from/to"): quoted, or split where both halves name the same path.
std::optional<std::string> git_line_name(std::string_view text) {
  if (text.starts_with('"')) {
    size_t used = 0;
    auto first = unquote(text, used);
    if (!first) return std::nullopt;
    return std::string(without_prefix(*first, "a/"));
  }
  if (text.size() % 2 == 0) return std::nullopt;
  const size_t half = text.size() / 2;
  if (text[half] != ' ') return std::nullopt;
  const std::string_view first = text.substr(0, half), second = text.substr(half + 1);
  if (first.starts_with("a/") && second.starts_with("b/") && first.substr(2) == second.substr(2)) {
    return std::string(first.substr(2));
  }
  if (first == second) return std::string(first);
  return std::nullopt;
}

bool is_binary_line(std::string_view line) {
  return line.starts_with("Binary files ") || line == "GIT binary patch";
}

class DiffParser {
 public:
  DiffParser(const PatchText& text, size_t begin, size_t end)
      : text_(text), at_(begin), end_(end) {}

  Result<Patch> parse() {
    Patch patch;
    patch.format = Format::kUnifiedDiff;
    while (at_ < end_) {
      const std::string_view line = text_.bare(at_);
      Result<FilePatch> file = Error{};
      if (line.starts_with("diff --git ")) {
        file = git_section();
      } else if (file_header_at(at_)) {
        file = plain_section();
      } else if (line.starts_with("@@")) {
        return invalid_at(at_,
                          "a hunk before any file header: start each file's changes with "
                          "'--- a/<path>' and '+++ b/<path>' lines.");
      } else if (is_binary_line(line)) {
        return invalid_at(at_, "binary patches are not supported; patch text files only.");
      } else if (!patch.files.empty() && line == "-- ") {
        break;  // the signature `git format-patch` ends with
      } else if (patch.files.empty() || text_.blank(at_) || line.starts_with("diff ")) {
        ++at_;  // a commit message before the first file, blank lines, `diff -r` command lines
        continue;
      } else {
        return invalid_at(at_, "unexpected text between file sections: " + quoted(line) +
                                   ". A file's changes start with '--- a/<path>' and "
                                   "'+++ b/<path>' lines, its hunks with '@@'.");
      }
      if (!file) return file.take_error();
      patch.files.push_back(std::move(file).value());
    }
    if (patch.files.empty()) {
      return Error::make(
          "No file section found. Give a unified diff ('--- a/<path>', '+++ b/<path>', then "
          "'@@ -l,n +l,n @@' hunks) or a patch that starts with '*** Begin Patch'.",
          "invalid_patch");
    }
    return patch;
  }

 private:
  bool file_header_at(size_t index) const {
    return text_.bare(index).starts_with("--- ") && index + 1 < end_ &&
           text_.bare(index + 1).starts_with("+++ ");
  }

  // The "--- " and "+++ " lines at the current line: their names, "a/" and "b/" removed when
  // both sides carry them, std::nullopt for /dev/null.
  struct Names {
    std::optional<std::string> old_name, new_name;
  };
  Result<Names> header_names() {
    auto old_name = header_name(text_.bare(at_).substr(4));
    if (!old_name) return invalid_at(at_, "the '---' line names no file.");
    auto new_name = header_name(text_.bare(at_ + 1).substr(4));
    if (!new_name) return invalid_at(at_ + 1, "the '+++' line names no file.");
    at_ += 2;
    const bool old_null = *old_name == kDevNull, new_null = *new_name == kDevNull;
    if (old_null && new_null) return invalid_at(at_ - 1, "both sides are /dev/null.");
    Names names;
    const bool prefixed =
        (old_null || old_name->starts_with("a/")) && (new_null || new_name->starts_with("b/"));
    if (!old_null) names.old_name = prefixed ? old_name->substr(2) : *old_name;
    if (!new_null) names.new_name = prefixed ? new_name->substr(2) : *new_name;
    // "--- a/" or "+++ b/" alone: the prefix was all there was.
    if (names.old_name && names.old_name->empty()) {
      return invalid_at(at_ - 2, "the '---' line names no file after 'a/'.");
    }
    if (names.new_name && names.new_name->empty()) {
      return invalid_at(at_ - 1, "the '+++' line names no file after 'b/'.");
    }
    return names;
  }

  Result<FilePatch> plain_section() {
    FilePatch file;
    file.patch_line = at_ + 1;
    auto names = header_names();
    if (!names) return names.take_error();
    if (!names->old_name) {
      file.action = FileAction::kAdd;
      file.path = *names->new_name;
    } else if (!names->new_name) {
      file.action = FileAction::kDelete;
      file.path = *names->old_name;
    } else {
      file.path = *names->new_name;
    }
    if (auto status = hunks(file); !status) return status.take_error();
    if (file.hunks.empty()) {
      return invalid_at(at_ - 1, "no hunk follows the '+++' line: add '@@ -l,n +l,n @@' hunks.");
    }
    return file;
  }

  Result<FilePatch> git_section() {
    FilePatch file;
    file.patch_line = at_ + 1;
    const size_t first = at_;
    std::optional<std::string> git_name = git_line_name(text_.bare(at_).substr(11));
    bool added = false, deleted = false, mode_change = false;
    std::optional<std::string> rename_from, rename_to;
    for (++at_; at_ < end_; ++at_) {
      const std::string_view line = text_.bare(at_);
      if (line.starts_with("--- ") || line.starts_with("@@") || line.starts_with("diff ") ||
          text_.blank(at_)) {
        break;
      }
      std::string_view rest = line;
      if (rest.starts_with("new file mode ") || rest.starts_with("deleted file mode ") ||
          rest.starts_with("index ")) {
        if (rest.ends_with("120000") || rest.ends_with("160000")) {
          return invalid_at(at_, "symlinks and submodules cannot be patched; only regular files.");
        }
        added = added || rest.starts_with("new file mode ");
        deleted = deleted || rest.starts_with("deleted file mode ");
      } else if (rest.starts_with("old mode ") || rest.starts_with("new mode ")) {
        mode_change = true;
      } else if (rest.starts_with("rename from ") || rest.starts_with("rename to ")) {
        const bool from = rest.starts_with("rename from ");
        rest.remove_prefix(from ? 12 : 10);
        size_t used = 0;
        auto name = rest.starts_with('"') ? unquote(rest, used) : std::optional(std::string(rest));
        if (!name || name->empty()) return invalid_at(at_, "the rename names no path.");
        (from ? rename_from : rename_to) = std::move(name);
      } else if (rest.starts_with("copy from ") || rest.starts_with("copy to ")) {
        return invalid_at(at_, "copies are not supported; add the copy as a new file.");
      } else if (is_binary_line(rest)) {
        return invalid_at(at_, "binary patches are not supported; patch text files only.");
      } else if (!rest.starts_with("similarity index ") &&
                 !rest.starts_with("dissimilarity index ")) {
        return invalid_at(at_, "unexpected line in a 'diff --git' header: " + quoted(line) + ".");
      }
    }
    if (rename_from.has_value() != rename_to.has_value()) {
      return invalid_at(first, "a rename needs both 'rename from' and 'rename to' lines.");
    }
    Names names;
    bool named = false;
    if (at_ < end_ && text_.bare(at_).starts_with("--- ")) {
      if (!file_header_at(at_)) return invalid_at(at_ + 1, "a '+++' line must follow '---'.");
      auto read = header_names();
      if (!read) return read.take_error();
      names = std::move(read).value();
      named = true;
    }
    if (added || (named && !names.old_name)) {
      file.action = FileAction::kAdd;
      file.path = names.new_name.value_or(git_name.value_or(""));
    } else if (deleted || (named && !names.new_name)) {
      file.action = FileAction::kDelete;
      file.path = names.old_name.value_or(git_name.value_or(""));
    } else if (rename_from) {
      file.path = *rename_from;
      file.move_to = *rename_to;
    } else {
      file.path = names.new_name.value_or(git_name.value_or(""));
    }
    if (file.path.empty()) {
      return invalid_at(first,
                        "cannot tell which file this is; add '--- a/<path>' and "
                        "'+++ b/<path>' lines.");
    }
    if (auto status = hunks(file); !status) return status.take_error();
    if (file.hunks.empty() && file.action == FileAction::kUpdate && !file.move_to) {
      return invalid_at(first, mode_change ? "only the file mode changes, and fs_apply_patch "
                                             "does not change modes."
                                           : "the diff for " + file.path + " has no hunks.");
    }
    return file;
  }

  // The hunks from the current line, checked against what the section does.
  Status hunks(FilePatch& file) {
    while (at_ < end_ && text_.bare(at_).starts_with("@@")) {
      auto hunk = parse_hunk();
      if (!hunk) return hunk.take_error();
      for (const HunkLine& line : hunk->lines) {
        if (file.action == FileAction::kAdd && line.kind != '+') {
          return invalid_at(hunk->patch_line - 1,
                            "a new file's hunk can only add lines ('+'), its header "
                            "'@@ -0,0 +1,n @@'.");
        }
        if (file.action == FileAction::kDelete && line.kind != '-') {
          return invalid_at(hunk->patch_line - 1,
                            "a deleted file's hunk can only remove lines ('-'), its header "
                            "'@@ -1,n +0,0 @@'.");
        }
      }
      file.hunks.push_back(std::move(hunk).value());
    }
    return {};
  }

  // Whether the line could belong to a hunk (used to say how long a miscounted hunk really is).
  bool hunk_line_at(size_t index) const {
    const std::string_view line = text_.raw(index);
    if (line.empty() || line == "\r") return true;
    switch (line.front()) {
      case ' ':
      case '+':
      case '\\':
        return true;
      case '-':
        return !file_header_at(index);
      default:
        return false;
    }
  }

  // The header's counts are wrong: say what they should be. Blank lines at the end separate.
  Error miscounted(size_t header, const HunkRange& range) const {
    size_t old_lines = 0, new_lines = 0, blanks = 0;
    for (size_t i = header + 1; i < end_ && hunk_line_at(i); ++i) {
      const std::string_view line = text_.raw(i);
      if (line.empty() || line == "\r") {
        ++blanks;
        continue;
      }
      if (line.front() == '\\') continue;
      old_lines += blanks + (line.front() != '+' ? 1 : 0);
      new_lines += blanks + (line.front() != '-' ? 1 : 0);
      blanks = 0;
    }
    return invalid_at(
        header, "the hunk header " + quoted(text_.bare(header)) + " counts " +
                    std::to_string(range.old_count) + " old and " +
                    std::to_string(range.new_count) + " new lines, but the hunk has " +
                    std::to_string(old_lines) + " old (' ' and '-') and " +
                    std::to_string(new_lines) + " new (' ' and '+') lines: write '@@ -" +
                    std::to_string(range.old_start) + "," + std::to_string(old_lines) + " +" +
                    std::to_string(range.new_start) + "," + std::to_string(new_lines) + " @@'.");
  }

  Result<Hunk> parse_hunk() {
    const size_t header = at_;
    auto range = parse_hunk_range(text_.bare(at_));
    if (!range) {
      return invalid_at(at_, "malformed hunk header " + quoted(text_.bare(at_)) +
                                 "; expected '@@ -start,count +start,count @@'.");
    }
    Hunk hunk;
    hunk.header = std::string(text_.bare(at_));
    hunk.patch_line = at_ + 1;
    hunk.old_start = range->old_start;
    size_t old_left = range->old_count, new_left = range->new_count;
    const auto mark_missing_newline = [&]() -> Status {
      if (hunk.lines.empty()) {
        return invalid_at(at_, "'\\ No newline at end of file' must follow a line of the hunk.");
      }
      const char kind = hunk.lines.back().kind;
      if (kind != '+') hunk.old_missing_newline = true;
      if (kind != '-') hunk.new_missing_newline = true;
      hunk.at_end_of_file = true;
      return {};
    };
    for (++at_; old_left > 0 || new_left > 0; ++at_) {
      if (at_ >= end_) return miscounted(header, *range);
      const std::string_view line = text_.raw(at_);
      // An empty line stands for an empty context line whose space was lost (editors trim it).
      const char kind = line.empty() || line == "\r" ? ' ' : line.front();
      if (kind == '\\') {
        if (auto status = mark_missing_newline(); !status) return status.take_error();
        continue;
      }
      if (kind != ' ' && kind != '-' && kind != '+') {
        if (kind == '@' || text_.bare(at_).starts_with("diff ")) return miscounted(header, *range);
        return invalid_at(at_, quoted(text_.bare(at_)) +
                                   " is not a hunk line: each starts with ' ' (unchanged), '-' "
                                   "(removed) or '+' (added).");
      }
      const bool old_side = kind == ' ' || kind == '-', new_side = kind == ' ' || kind == '+';
      // Within the counts even "--- x" is a removed line ("-- x").
      if ((old_side && old_left == 0) || (new_side && new_left == 0)) {
        return miscounted(header, *range);
      }
      old_left -= old_side ? 1 : 0;
      new_left -= new_side ? 1 : 0;
      hunk.lines.push_back(
          {kind, std::string(line.empty() || line == "\r" ? line : line.substr(1))});
    }
    if (at_ < end_ && text_.raw(at_).starts_with('\\')) {
      if (auto status = mark_missing_newline(); !status) return status.take_error();
      ++at_;
    }
    // More hunk lines than the header counts (a blank line here only separates, and "-- " is
    // the signature `git format-patch` ends with).
    if (at_ < end_ && !text_.blank(at_) && text_.bare(at_) != "-- " && hunk_line_at(at_)) {
      return miscounted(header, *range);
    }
    if (hunk.lines.empty()) return invalid_at(header, "the hunk has no lines.");
    return hunk;
  }

  const PatchText& text_;
  size_t at_;
  size_t end_;
};

}  // namespace

Result<Patch> parse_unified_diff(const PatchText& text, size_t begin, size_t end) {
  return DiffParser(text, begin, end).parse();
}

}  // namespace benchtop::patch
