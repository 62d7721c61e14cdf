// fs_glob: find files and directories by glob pattern.
#include <boost/describe/class.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/mcp/schema/type_schema.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/search/tree_walk.h"
#include "tools/common/walk_progress.h"
#include "tools/common/workspace_args.h"
#include "tools/search/path_glob.h"
#include "tools/search/search_tools.h"

namespace benchtop {
namespace {

constexpr int kDefaultMaxResults = 1000;
constexpr int kLargestMaxResults = 10000;

nlohmann::json input_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"pattern"}},
          {"properties",
           {{"project", project_property()},
            {"pattern",
             {{"type", "string"},
              {"minLength", 1},
              {"description", "Glob, e.g. '*.py' (any depth) or 'src/**/*.{h,cpp}'."}}},
            {"path", {{"type", "string"}, {"description", "Where to search."}}},
            {"include_hidden", {{"type", "boolean"}, {"description", "Include dot-files."}}},
            {"max_results",
             {{"type", "integer"},
              {"minimum", 1},
              {"maximum", kLargestMaxResults},
              {"default", kDefaultMaxResults},
              {"description", "Most paths."}}}}}};
}

struct GlobMatch {
  std::string path;
  EntryType type = EntryType::kFile;
};
BOOST_DESCRIBE_STRUCT(GlobMatch, (), (path, type))

struct GlobResult {
  std::vector<GlobMatch> matches;
  size_t total = 0;
  bool truncated = false;
  std::optional<std::string> note;
  static constexpr FieldDoc kFieldDocs[] = {
      {"matches", "Matching entries sorted by path, paths relative to the workspace root."},
      {"total", "How many entries matched in all."}};
};
BOOST_DESCRIBE_STRUCT(GlobResult, (), (matches, total, truncated, note))

ToolResult run(WorkspaceProvider& provider, const nlohmann::json& args, ToolContext& context) {
  auto workspace = workspace_for(provider, args);
  if (!workspace) return ToolResult::from_error(workspace.error());
  auto start = (*workspace)->relative_path(optional_string(args, "path").value_or(""));
  if (!start) return ToolResult::from_error(start.error());
  auto glob = PathGlob::compile(args.at("pattern").get<std::string>());
  if (!glob) return ToolResult::error("Invalid glob pattern: " + glob.error().message);
  const size_t max_results =
      bounded_count(args, "max_results", kDefaultMaxResults, 1, kLargestMaxResults);

  WalkOptions options;
  options.include_hidden = args.value("include_hidden", false) || glob->names_hidden();
  options.cancellation = context.cancellation();
  const size_t skip = start->empty() ? 0 : start->size() + 1;

  std::vector<std::pair<std::string, EntryType>> found;
  size_t total = 0;
  WalkProgress progress(context);
  auto walked = walk_tree(**workspace, *start, options, [&](const WalkEntry& entry) {
    progress.entry();
    const std::string_view relative = entry.path.substr(skip);
    if (glob->matches(relative, entry.name)) {
      if (++total <= max_results) found.emplace_back(std::string(entry.path), entry.type);
    }
    if (entry.type == EntryType::kDirectory && !glob->worth_entering(relative)) {
      return WalkAction::kSkipChildren;
    }
    return WalkAction::kContinue;
  });
  if (!walked) {
    const Error& error = walked.error();
    if (error.code == "not_directory") {
      return ToolResult::error("'" + *start +
                               "' is a file, not a directory; pass its parent directory as "
                               "`path` and the file name as `pattern`.");
    }
    if (error.code == "not_found") {
      return ToolResult::error(error.message + ". Omit `path` to search from the workspace root.");
    }
    return ToolResult::from_error(error);
  }
  if (walked->stopped && context.cancelled()) return ToolResult::error("fs_glob was cancelled.");

  GlobResult result;
  result.total = total;
  result.truncated = total > max_results;
  std::string text;
  for (const auto& [path, type] : found) {
    std::string shown = escape_path(path);
    text += shown;
    if (type == EntryType::kDirectory) text += '/';
    text += '\n';
    result.matches.push_back({std::move(shown), type});
  }
  std::string note;
  if (total > max_results) {
    note = "Showing " + std::to_string(max_results) + " of " + std::to_string(total) +
           " matches (" + std::to_string(total - max_results) +
           " more); narrow `pattern` or `path`, or raise max_results.";
  } else if (total == 0) {
    note = "No matches for '" + args.at("pattern").get<std::string>() + "' in " +
           (start->empty() ? std::string("the workspace") : "'" + *start + "'") +
           ". Files ignored by .gitignore are not listed" +
           (options.include_hidden ? "." : ", nor hidden ones (set include_hidden).");
  }
  if (walked->unreadable > 0) {
    if (!note.empty()) note += ' ';
    note += std::to_string(walked->unreadable) + " directories could not be read.";
  }
  if (!note.empty()) {
    text += note;
    result.note = std::move(note);
  }
  return ToolResult::success(to_structured(result), std::move(text));
}

}  // namespace

Tool fs_glob_tool(WorkspaceProvider& provider) {
  Tool tool;
  tool.name = "fs_glob";
  tool.title = "Find files";
  tool.description = "Find files by glob; respects .gitignore. To search contents use fs_grep.";
  tool.input_schema = input_schema();
  tool.output_schema = schema_of<GlobResult>();
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [&provider](const nlohmann::json& args, ToolContext& context) {
    return run(provider, args, context);
  };
  return tool;
}

}  // namespace benchtop
