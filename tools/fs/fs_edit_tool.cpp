// fs_edit: exact search-and-replace edits, applied all together or not at all.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <vector>

#include "common/text.h"
#include "server/workspace/atomic_file.h"
#include "server/workspace/changes/unified_diff.h"
#include "server/workspace/regular_file.h"
#include "tools/common/workspace_args.h"
#include "tools/fs/fs_common.h"

namespace benchtop::fs_tools {
namespace {

constexpr size_t kMaxEditBytes = 16 * 1024 * 1024;
constexpr size_t kMaxListedMatches = 10;

std::vector<size_t> find_all(std::string_view text, std::string_view needle) {
  std::vector<size_t> positions;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    positions.push_back(at);
  }
  return positions;
}

// 1-based line numbers of ascending byte positions.
std::vector<size_t> line_numbers(std::string_view text, const std::vector<size_t>& positions) {
  std::vector<size_t> lines;
  size_t line = 1, scanned = 0;
  for (size_t position : positions) {
    line += static_cast<size_t>(std::count(text.begin() + static_cast<long>(scanned),
                                           text.begin() + static_cast<long>(position), '\n'));
    scanned = position;
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

std::string with_crlf(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

// Similarity of two short strings by shared character bigrams (Dice coefficient, 0..1).
double similarity(std::string_view a, std::string_view b) {
  if (a.size() < 2 || b.size() < 2) return a == b ? 1.0 : 0.0;
  std::vector<uint16_t> x, y;
  for (size_t i = 0; i + 1 < a.size(); ++i)
    x.push_back(uint16_t(uint8_t(a[i]) << 8 | uint8_t(a[i + 1])));
  for (size_t i = 0; i + 1 < b.size(); ++i)
    y.push_back(uint16_t(uint8_t(b[i]) << 8 | uint8_t(b[i + 1])));
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  size_t shared = 0;
  for (size_t i = 0, j = 0; i < x.size() && j < y.size();) {
    if (x[i] == y[j])
      ++shared, ++i, ++j;
    else if (x[i] < y[j])
      ++i;
    else
      ++j;
  }
  return 2.0 * static_cast<double>(shared) / static_cast<double>(x.size() + y.size());
}

std::string shorten(std::string_view line) {
  constexpr size_t kShown = 160;
  if (line.size() <= kShown) return std::string(line);
  return std::string(line.substr(0, utf8_floor(line, kShown))) + "...";
}

// Why old_text was not found, as a hint: a block that differs only in whitespace, or the line
// most like old_text's first line. Bounded so a huge file cannot make a failed edit slow.
std::string not_found_hint(std::string_view text, std::string_view old_text) {
  const auto lines = split_lines(text);
  auto wanted = split_lines(old_text);
  while (!wanted.empty() && trim_whitespace(wanted.back()).empty()) wanted.pop_back();
  size_t first = 0;
  while (first < wanted.size() && trim_whitespace(wanted[first]).empty()) ++first;
  if (first == wanted.size()) return "";
  wanted.erase(wanted.begin(), wanted.begin() + static_cast<long>(first));

  for (size_t i = 0; i + wanted.size() <= lines.size(); ++i) {
    bool same = true;
    for (size_t k = 0; k < wanted.size() && same; ++k) {
      same = trim_whitespace(lines[i + k]) == trim_whitespace(wanted[k]);
    }
    if (same) {
      return " A block that differs only in whitespace or indentation starts at line " +
             std::to_string(i + 1) + ": \"" + shorten(lines[i]) +
             "\". Copy old_text exactly from fs_read output, including indentation.";
    }
  }
  constexpr size_t kMaxScannedLines = 50000;
  const std::string_view probe = trim_whitespace(wanted.front());
  double best = 0;
  size_t best_line = 0;
  for (size_t i = 0; i < lines.size() && i < kMaxScannedLines; ++i) {
    const std::string_view candidate = trim_whitespace(lines[i]);
    if (candidate.size() > 4 * probe.size() + 16 || probe.size() > 4 * candidate.size() + 16) {
      continue;
    }
    const double score = similarity(probe, candidate);
    if (score > best) best = score, best_line = i;
  }
  if (best < 0.5) return " No similar line was found; read the file again with fs_read.";
  return " The most similar line is line " + std::to_string(best_line + 1) + ": \"" +
         shorten(lines[best_line]) +
         "\". Read the file again with fs_read and copy old_text "
         "exactly.";
}

struct EditOutcome {
  std::string text;
  size_t replacements = 0;
};

// Applies the edits in order to `text`; on the first failure, an error naming the edit.
Result<EditOutcome> apply_edits(std::string text, const nlohmann::json& edits,
                                std::string_view shown) {
  EditOutcome outcome;
  const bool crlf_file = text.find("\r\n") != std::string::npos;
  for (size_t index = 0; index < edits.size(); ++index) {
    const auto& edit = edits[index];
    if (!edit.is_object() || !edit.contains("old_text") || !edit["old_text"].is_string() ||
        edit["old_text"].get_ref<const std::string&>().empty() || !edit.contains("new_text") ||
        !edit["new_text"].is_string()) {
      return Error::make("edits[" + std::to_string(index) +
                             "] needs a non-empty string old_text and a string new_text.",
                         "invalid");
    }
    std::string old_text = edit.at("old_text").get<std::string>();
    std::string new_text = edit.at("new_text").get<std::string>();
    const bool replace_all = edit.value("replace_all", false);
    const std::string which = "edits[" + std::to_string(index) + "]";

    auto positions = find_all(text, old_text);
    if (positions.empty() && crlf_file && old_text.find('\n') != std::string::npos) {
      // The file uses CRLF line ends but old_text was written with LF: match, and write back,
      // with the file's own line ends.
      std::string crlf_old = with_crlf(old_text);
      positions = find_all(text, crlf_old);
      if (!positions.empty()) {
        old_text = std::move(crlf_old);
        new_text = with_crlf(new_text);
      }
    }
    if (positions.empty()) {
      const std::string after = index > 0 ? " (after applying the earlier edits)" : "";
      return Error::make(which + ": old_text was not found in " + std::string(shown) + after + "." +
                             not_found_hint(text, old_text) + " Nothing was changed.",
                         "no_match");
    }
    if (positions.size() > 1 && !replace_all) {
      auto lines = line_numbers(text, positions);
      std::string listed;
      for (size_t i = 0; i < lines.size() && i < kMaxListedMatches; ++i) {
        listed += (i ? ", " : "") + std::to_string(lines[i]);
      }
      if (lines.size() > kMaxListedMatches) listed += ", ...";
      return Error::make(which + ": old_text matches " + std::to_string(positions.size()) +
                             " times in " + std::string(shown) + " (at lines " + listed +
                             "). Include more surrounding lines in old_text so it matches once, "
                             "or set replace_all=true to replace every match. Nothing was "
                             "changed.",
                         "ambiguous");
    }
    std::string next;
    next.reserve(text.size() + positions.size() * new_text.size());
    size_t copied = 0;
    for (size_t position : positions) {
      next.append(text, copied, position - copied);
      next.append(new_text);
      copied = position + old_text.size();
    }
    next.append(text, copied, std::string::npos);
    text = std::move(next);
    outcome.replacements += positions.size();
  }
  outcome.text = std::move(text);
  return outcome;
}

ToolResult fs_edit(WorkspaceProvider& provider, const nlohmann::json& args) {
  auto target = resolve(provider, args);
  if (!target) return error_result(target.error());
  const bool dry_run = args.value("dry_run", false);
  auto parent = target->workspace->open_parent(target->relative);
  if (!parent) return error_result(parent.error());
  const int dir_fd = parent->first.get();
  const std::string& name = parent->second;

  UniqueFd fd(
      ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd) {
    if (errno == ELOOP) {
      return ToolResult::error(target->shown +
                               " is a symlink; fs_edit edits regular files only, never through "
                               "links. Edit the path it points to (fs_stat shows the target).");
    }
    return error_result(path_error(target->shown, errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return error_result(path_error(target->shown, errno));
  if (S_ISDIR(st.st_mode)) return ToolResult::error(target->shown + " is a directory, not a file.");
  if (!S_ISREG(st.st_mode)) {
    return ToolResult::error(target->shown + " is not a regular file; fs_edit edits text files.");
  }
  auto original = read_to_end(fd.get(), target->shown, kMaxEditBytes);
  if (!original) {
    if (original.error().code == "too_large") {
      return ToolResult::error(target->shown +
                               " is larger than 16 MiB; fs_edit works on smaller files. Use "
                               "fs_write to replace it.");
    }
    return error_result(original.error());
  }
  if (original->find('\0') != std::string::npos || !is_valid_utf8(*original)) {
    return ToolResult::error(target->shown +
                             " is not UTF-8 text (binary or another encoding); fs_edit edits "
                             "UTF-8 text files only.");
  }

  const auto& edits = args.contains("edits") ? args["edits"] : nlohmann::json();
  if (!edits.is_array() || edits.empty()) {
    return ToolResult::error("edits must be a non-empty array of {old_text, new_text} objects.");
  }
  auto outcome = apply_edits(*original, edits, target->shown);
  if (!outcome) return ToolResult::error(outcome.error().message);

  const bool changed = outcome->text != *original;
  const auto diff = unified_diff(*original, outcome->text, target->relative);
  if (changed && !dry_run) {
    AtomicWriteOptions options;
    options.existing = &st;
    options.unchanged_since = &st;
    auto written = write_file_atomic(dir_fd, name, target->shown, outcome->text, options);
    if (!written) return error_result(written.error());
  }

  nlohmann::json structured = {{"path", target->shown},
                               {"dry_run", dry_run},
                               {"changed", changed},
                               {"edits_applied", static_cast<int64_t>(edits.size())},
                               {"replacements", static_cast<int64_t>(outcome->replacements)},
                               {"lines_added", static_cast<int64_t>(diff.lines_added)},
                               {"lines_removed", static_cast<int64_t>(diff.lines_removed)},
                               {"diff", diff.text}};
  std::string summary;
  if (!changed) {
    summary = "No change: the edits leave " + target->shown + " as it was.";
  } else {
    summary = std::string(dry_run ? "Dry run, nothing written. Would edit " : "Edited ") +
              target->shown + ": " + std::to_string(edits.size()) + " edit(s), " +
              std::to_string(outcome->replacements) + " replacement(s), +" +
              std::to_string(diff.lines_added) + " -" + std::to_string(diff.lines_removed) +
              " lines.\n" + diff.text;
  }
  ToolResult result = ToolResult::success(std::move(structured), std::move(summary));
  if (changed && !dry_run) {
    result.file_changes.push_back({target->shown, FileChange::Action::kModified, ""});
  }
  return result;
}

}  // namespace

void register_edit_tool(ToolRegistry& registry, WorkspaceProvider& provider) {
  Tool edit;
  edit.name = "fs_edit";
  edit.title = "Edit file";
  edit.description =
      "Replace exact text in a file; each old_text must match once (or use replace_all). All or "
      "nothing.";
  nlohmann::json edit_item = {
      {"type", "object"},
      {"properties",
       {{"old_text",
         {{"type", "string"}, {"minLength", 1}, {"description", "Exact text to find."}}},
        {"new_text", {{"type", "string"}, {"description", "Replacement text."}}},
        {"replace_all", {{"type", "boolean"}, {"description", "Replace every occurrence."}}}}},
      {"required", {"old_text", "new_text"}},
      {"additionalProperties", false},
  };
  edit.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"path", path_property("File path.")},
        {"edits",
         {{"type", "array"},
          {"minItems", 1},
          {"items", edit_item},
          {"description", "Applied in order."}}},
        {"dry_run", {{"type", "boolean"}, {"description", "Only show the diff."}}}}},
      {"required", {"path", "edits"}},
      {"additionalProperties", false},
  };
  edit.output_schema = {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}}},
        {"dry_run", {{"type", "boolean"}}},
        {"changed", {{"type", "boolean"}, {"description", "Whether the content differs"}}},
        {"edits_applied", {{"type", "integer"}}},
        {"replacements", {{"type", "integer"}}},
        {"lines_added", {{"type", "integer"}}},
        {"lines_removed", {{"type", "integer"}}},
        {"diff", {{"type", "string"}, {"description", "Unified diff of the change"}}}}},
      {"required", {"path", "dry_run", "changed", "edits_applied", "replacements", "diff"}},
  };
  edit.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  edit.handler = [&provider](const nlohmann::json& args, ToolContext&) {
    return fs_edit(provider, args);
  };
  edit.changed_paths = paths_in_arguments({"path"});
  registry.add(std::move(edit));
}

}  // namespace benchtop::fs_tools
