// fs_grep: find lines matching a regular expression in the workspace's files.
#include <boost/describe/class.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/mcp/schema/type_schema.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/search/text_search.h"
#include "server/workspace/search/tree_walk.h"
#include "tools/common/output_budget.h"
#include "tools/common/walk_progress.h"
#include "tools/common/workspace_args.h"
#include "tools/search/path_glob.h"
#include "tools/search/search_tools.h"

namespace benchtop {
namespace {

constexpr int kDefaultMaxResults = 200;
constexpr int kLargestMaxResults = 5000;
constexpr int kLargestContext = 20;
constexpr size_t kSearchThreads = 2;
// What the marker of a cut result says after the count of matches it left out (cut partly ones
// included: structuredContent has none but whole ones).
constexpr std::string_view kNarrowingHint =
    " matches among them; narrow `path`, `glob` or `pattern`, or lower max_results";

nlohmann::json input_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"pattern"}},
          {"properties",
           {{"project", project_property()},
            {"pattern",
             {{"type", "string"},
              {"minLength", 1},
              {"description", "PCRE2 regex (text with literal)."}}},
            {"path", {{"type", "string"}, {"description", "Where to search."}}},
            {"glob", {{"type", "string"}, {"description", "Only files matching this glob."}}},
            {"ignore_case", {{"type", "boolean"}}},
            {"literal", {{"type", "boolean"}, {"description", "Plain text, not regex."}}},
            {"context",
             {{"type", "integer"},
              {"minimum", 0},
              {"maximum", kLargestContext},
              {"description", "Context lines."}}},
            {"include_hidden", {{"type", "boolean"}, {"description", "Include dot-files."}}},
            {"max_results",
             {{"type", "integer"},
              {"minimum", 1},
              {"maximum", kLargestMaxResults},
              {"default", kDefaultMaxResults},
              {"description", "Most lines in all."}}},
            {"max_per_file",
             {{"type", "integer"},
              {"minimum", 1},
              {"maximum", kLargestMaxResults},
              {"description", "Most lines per file."}}}}}};
}

struct GrepMatch {
  std::string path;
  uint64_t line = 0;
  uint64_t column = 0;
  std::string text;
  std::optional<std::vector<std::string>> before;
  std::optional<std::vector<std::string>> after;
  static constexpr FieldDoc kFieldDocs[] = {{"line", "1-based line number"},
                                            {"column", "1-based byte column of the match"}};
};
BOOST_DESCRIBE_STRUCT(GrepMatch, (), (path, line, column, text, before, after))

struct GrepResult {
  std::vector<GrepMatch> matches;
  uint64_t files_searched = 0;
  uint64_t files_with_matches = 0;
  bool truncated = false;
  std::optional<std::string> note;
  static constexpr FieldDoc kFieldDocs[] = {
      {"matches",
       "Matching lines grouped by file, files in path order. `before`/`after` are context lines "
       "(not repeated when matches are close together)."},
      {"truncated", "More matches exist beyond the caps."}};
};
BOOST_DESCRIBE_STRUCT(GrepResult, (),
                      (matches, files_searched, files_with_matches, truncated, note))

// Where each match's lines (its context and a "--" before it included) lie in the rendering.
struct Span {
  size_t start = 0;
  size_t end = 0;
};

// The compact, ripgrep-like rendering: "path:line: text" for matches, "path-line- text" for
// context, "--" between groups that are not adjacent. One span per match, in order.
std::vector<Span> render(const FileSearchReport& report, std::string& text) {
  std::vector<Span> spans;
  for (const auto& file : report.files) {
    const std::string path = escape_path(file.path);
    uint64_t last_line = 0;
    for (const auto& match : file.matches) {
      Span& span = spans.emplace_back();
      span.start = text.size();
      const uint64_t first = match.line - match.before.size();
      if (last_line != 0 && first > last_line + 1) text += "--\n";
      for (size_t k = 0; k < match.before.size(); ++k) {
        text += path + '-' + std::to_string(first + k) + "- " + match.before[k] + '\n';
      }
      text += path + ':' + std::to_string(match.line) + ": " + match.text + '\n';
      for (size_t k = 0; k < match.after.size(); ++k) {
        text += path + '-' + std::to_string(match.line + 1 + k) + "- " + match.after[k] + '\n';
      }
      last_line = match.line + match.after.size();
      span.end = text.size();
    }
  }
  return spans;
}

std::string summary_note(const FileSearchReport& report, const nlohmann::json& args,
                         size_t max_results, bool include_hidden) {
  std::string note;
  auto add = [&](const std::string& sentence) {
    if (!note.empty()) note += ' ';
    note += sentence;
  };
  if (report.truncated) {
    add("Stopped at " + std::to_string(report.total_matches) +
        " matching lines; more exist. Narrow `pattern`, `path` or `glob`, set max_per_file, or "
        "raise max_results (now " +
        std::to_string(max_results) + ").");
  } else if (report.total_matches == 0) {
    add("No matches in " + std::to_string(report.files_searched) + " files searched.");
    if (!args.value("literal", false)) {
      add("The pattern is a regular expression: escape characters such as ( [ . * + ? with '\\' "
          "or set literal: true.");
    }
    add(std::string("Files ignored by .gitignore") +
        (include_hidden ? "" : ", hidden files (include_hidden)") +
        " and binary files are skipped.");
  }
  if (report.binary_skipped > 0) {
    add(std::to_string(report.binary_skipped) + " binary files skipped.");
  }
  if (report.large_skipped > 0) {
    add(std::to_string(report.large_skipped) + " files over 64 MiB skipped.");
  }
  if (report.unreadable > 0) add(std::to_string(report.unreadable) + " files could not be read.");
  return note;
}

ToolResult run(WorkspaceProvider& provider, const nlohmann::json& args, ToolContext& context) {
  auto workspace = workspace_for(provider, args);
  if (!workspace) return ToolResult::from_error(workspace.error());
  const Workspace& ws = **workspace;
  auto start = ws.relative_path(optional_string(args, "path").value_or(""));
  if (!start) return ToolResult::from_error(start.error());

  auto matcher = TextMatcher::compile(
      args.at("pattern").get<std::string>(),
      {.ignore_case = args.value("ignore_case", false), .literal = args.value("literal", false)});
  if (!matcher) return ToolResult::from_error(matcher.error());

  std::optional<PathGlob> glob;
  if (auto text = optional_string(args, "glob")) {
    auto compiled = PathGlob::compile(*text);
    if (!compiled) return ToolResult::error("Invalid `glob`: " + compiled.error().message);
    glob = std::move(compiled).value();
  }

  WalkOptions walk;
  walk.include_hidden = args.value("include_hidden", false) || (glob && glob->names_hidden());
  walk.cancellation = context.cancellation();
  const size_t skip = start->empty() ? 0 : start->size() + 1;
  std::vector<std::string> files;
  WalkProgress progress(context);
  auto walked = walk_tree(ws, *start, walk, [&](const WalkEntry& entry) {
    progress.entry();
    const std::string_view relative = entry.path.substr(skip);
    if (entry.type == EntryType::kDirectory) {
      return glob && !glob->worth_entering(relative) ? WalkAction::kSkipChildren
                                                     : WalkAction::kContinue;
    }
    if (entry.type == EntryType::kFile && (!glob || glob->matches(relative, entry.name))) {
      files.emplace_back(entry.path);
    }
    return WalkAction::kContinue;
  });
  if (!walked) {
    if (walked.error().code != "not_directory") {
      const Error& error = walked.error();
      if (error.code == "not_found") {
        return ToolResult::error(error.message + ". Omit `path` to search the whole workspace.");
      }
      return ToolResult::from_error(error);
    }
    files.push_back(*start);  // `path` names a single file
  } else if (walked->stopped && context.cancelled()) {
    return ToolResult::error("fs_grep was cancelled.");
  }

  const size_t max_results =
      bounded_count(args, "max_results", kDefaultMaxResults, 1, kLargestMaxResults);
  FileSearchOptions options;
  options.max_results = max_results;
  options.max_per_file = bounded_count(args, "max_per_file", SIZE_MAX, 1, SIZE_MAX);
  options.lines.context_before = options.lines.context_after =
      bounded_count(args, "context", 0, 0, kLargestContext);
  options.threads = kSearchThreads;
  options.cancellation = context.cancellation();
  if (context.wants_progress()) {
    progress.report("Searching " + std::to_string(files.size()) + " files");
  }
  const FileSearchReport report = search_files(ws, *matcher, files, options);
  if (report.cancelled) return ToolResult::error("fs_grep was cancelled.");
  if (!walked && report.unreadable == 1) {
    return ToolResult::error("Cannot read '" + *start +
                             "': it is a symlink, a special file or not readable. fs_grep reads "
                             "regular files only and does not follow symlinks.");
  }

  std::string text;
  const std::vector<Span> spans = render(report, text);
  // Over the output budget: the matches of the head and the tail, in the text and in
  // structuredContent alike, and a marker that says how to find the rest.
  const auto cut = cut_points(text, kDefaultOutputBudget, kNarrowingHint.size() + 8);
  size_t index = 0;
  size_t left_out = 0;
  GrepResult result;
  for (const auto& file : report.files) {
    const std::string path = escape_path(file.path);
    for (const auto& match : file.matches) {
      const Span span = spans[index++];
      if (cut && span.end > cut->head_end && span.start < cut->tail_start) {
        ++left_out;
        continue;
      }
      GrepMatch& item = result.matches.emplace_back();
      item.path = path;
      item.line = match.line;
      item.column = match.column;
      item.text = match.text;
      if (!match.before.empty()) item.before = match.before;
      if (!match.after.empty()) item.after = match.after;
    }
  }
  result.files_searched = report.files_searched;
  result.files_with_matches = report.files.size();
  result.truncated = report.truncated || left_out > 0;
  if (cut) {
    text = cut_at(text, *cut, std::to_string(left_out) + std::string(kNarrowingHint)).text;
  }
  std::string note = summary_note(report, args, max_results, walk.include_hidden);
  if (!note.empty()) {
    text += note;
    result.note = std::move(note);
  }
  return ToolResult::success(to_structured(result), std::move(text));
}

}  // namespace

Tool fs_grep_tool(WorkspaceProvider& provider) {
  Tool tool;
  tool.name = "fs_grep";
  tool.title = "Search contents";
  tool.description =
      "Search file contents by regex; respects .gitignore. To find files by name use fs_glob.";
  tool.input_schema = input_schema();
  tool.output_schema = schema_of<GrepResult>();
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [&provider](const nlohmann::json& args, ToolContext& context) {
    return run(provider, args, context);
  };
  return tool;
}

}  // namespace benchtop
