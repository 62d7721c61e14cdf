// code_outline: the symbols of one file, with their line ranges, as a tree.
#include <fcntl.h>

#include <boost/describe/class.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/human_units.h"
#include "server/mcp/schema/type_schema.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/search/whole_file.h"
#include "tools/code/code_tool.h"
#include "tools/code/symbol_text.h"
#include "tools/common/workspace_args.h"

namespace benchtop {
namespace {

constexpr int kDefaultMaxSymbols = 300;
constexpr int kLargestMaxSymbols = 2000;

nlohmann::json input_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"path"}},
          {"properties",
           {{"project", project_property()},
            {"path", {{"type", "string"}, {"description", "File to outline."}}},
            {"max_symbols",
             {{"type", "integer"},
              {"minimum", 1},
              {"maximum", kLargestMaxSymbols},
              {"default", kDefaultMaxSymbols},
              {"description", "Most symbols."}}}}}};
}

struct OutlineSymbol {
  std::string name;
  std::string kind;
  uint64_t line = 0;
  std::optional<uint64_t> end_line;
  std::optional<std::string> scope;
  std::optional<std::string> signature;
  static constexpr FieldDoc kFieldDocs[] = {
      {"end_line", "Last line of its body, when known."},
      {"scope", "The enclosing symbol (class, namespace, function), as ctags names it."}};
};
BOOST_DESCRIBE_STRUCT(OutlineSymbol, (), (name, kind, line, end_line, scope, signature))

struct OutlineResult {
  std::string path;
  std::string language;
  std::vector<OutlineSymbol> symbols;
  uint64_t total = 0;
  bool truncated = false;
  std::optional<std::string> note;
  static constexpr FieldDoc kFieldDocs[] = {{"symbols", "In source order."},
                                            {"total", "Symbols found in all."}};
};
BOOST_DESCRIBE_STRUCT(OutlineResult, (), (path, language, symbols, total, truncated, note))

ToolResult refusal(const TaggedFile& file, const std::string& shown, const CodeToolOptions& options,
                   bool cancelled) {
  using Outcome = TaggedFile::Outcome;
  if (cancelled) return ToolResult::error("code_outline was cancelled.");
  switch (file.outcome) {
    case Outcome::kUnknownLanguage:
      return ToolResult::error("ctags has no parser for '" + shown +
                               "' (it knows languages by file name, extension or #! line). "
                               "Read it with fs_read or search it with fs_grep.");
    case Outcome::kTimedOut:
    case Outcome::kNotReached:  // the budget was spent before ctags started
      return ToolResult::error("ctags did not finish '" + shown + "' within " +
                               shown_duration(options.outline_budget) +
                               " and was stopped. Read the file with fs_read or search it with "
                               "fs_grep.");
    case Outcome::kFailed:
    case Outcome::kTagged:
      break;
  }
  return ToolResult::error("ctags failed on '" + shown +
                           "' (it stopped on this content). Read the file with fs_read or "
                           "search it with fs_grep.");
}

ToolResult run(WorkspaceProvider& provider, Ctags& ctags, const CodeToolOptions& options,
               const nlohmann::json& args, ToolContext& context) {
  const auto deadline = std::chrono::steady_clock::now() + options.outline_budget;
  auto workspace = workspace_for(provider, args);
  if (!workspace) return ToolResult::from_error(workspace.error());
  auto relative = (*workspace)->relative_path(args.at("path").get<std::string>());
  if (!relative) return ToolResult::from_error(relative.error());
  const std::string shown = escape_path(*relative);
  auto fd = (*workspace)->open_at(*relative, O_RDONLY);
  if (!fd) {
    if (fd.error().code == "is_directory") {
      return ToolResult::error("'" + shown +
                               "' is a directory: code_outline takes one file. To find a symbol "
                               "in a directory use code_find; to list files, fs_glob.");
    }
    return ToolResult::from_error(fd.error());
  }
  ReadBuffer buffer;
  std::string_view contents;
  switch (read_whole_fd(fd->get(), options.max_file_bytes, buffer, contents)) {
    case ReadOutcome::kTooLarge:
      return ToolResult::error("'" + shown + "' is larger than " +
                               human_bytes(options.max_file_bytes) +
                               ", the most code_outline reads. Search it with fs_grep or read "
                               "parts of it with fs_read.");
    case ReadOutcome::kBinary:
      return ToolResult::error("'" + shown +
                               "' is a binary file (it contains NUL bytes); code_outline reads "
                               "source files only.");
    case ReadOutcome::kRead:
      break;
    default:
      return ToolResult::error("'" + shown + "' could not be read.");
  }

  const size_t max_symbols =
      bounded_count(args, "max_symbols", kDefaultMaxSymbols, 1, kLargestMaxSymbols);
  const std::string name = relative->substr(relative->rfind('/') + 1);
  auto tagged = ctags.tag({{name, contents}}, deadline, context.cancellation(), {}, max_symbols);
  if (!tagged) return ToolResult::from_error(tagged.error());
  const TaggedFile& file = tagged->front();
  if (file.outcome != TaggedFile::Outcome::kTagged || context.cancelled()) {
    return refusal(file, shown, options, context.cancelled());
  }

  OutlineResult result;
  result.path = shown;
  result.language = file.language;
  result.total = file.symbols.size() + file.more;
  result.truncated = file.more > 0;
  const std::vector<size_t> depths = nesting_depths(file.symbols);
  std::string text;
  for (size_t i = 0; i < file.symbols.size(); ++i) {
    const Symbol& symbol = file.symbols[i];
    OutlineSymbol& item = result.symbols.emplace_back();
    item.name = symbol.name;
    item.kind = symbol.kind;
    item.line = symbol.line;
    item.end_line = symbol.end_line;
    item.scope = shown_scope(symbol);
    item.signature = shown_signature(symbol);
    text += std::string(2 * depths[i], ' ') + symbol_label(symbol) + "  " + line_range(symbol);
    // A symbol not drawn inside its scope (a method defined out of its class) names it.
    if (depths[i] == 0 && item.scope) text += "  in " + *item.scope;
    text += '\n';
  }
  std::string note;
  if (result.truncated) {
    note = "Showing the first " + std::to_string(file.symbols.size()) + " of " +
           std::to_string(result.total) + " symbols; raise max_symbols (at most " +
           std::to_string(kLargestMaxSymbols) + ") or read parts with fs_read.";
  } else if (file.symbols.empty()) {
    note = "No symbols found in '" + shown + "' (" + file.language + ").";
  }
  end_with_note(text, result.note, std::move(note));
  return ToolResult::success(to_structured(result), std::move(text));
}

}  // namespace

Tool code_outline_tool(WorkspaceProvider& provider, Ctags& ctags, CodeToolOptions options) {
  return read_only_code_tool({"code_outline", "Outline file",
                              "A source file's symbols (classes, functions...) with line ranges."},
                             input_schema(), schema_of<OutlineResult>(), provider, ctags, options,
                             run);
}

}  // namespace benchtop
