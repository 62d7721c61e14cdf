// code_find: where a symbol is defined, across the project or under a path.
#include <boost/describe/class.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/human_units.h"
#include "server/mcp/schema/type_schema.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/search/tree_walk.h"
#include "server/workspace/search/whole_file.h"
#include "tools/code/code_tool.h"
#include "tools/code/symbol_text.h"
#include "tools/common/walk_progress.h"
#include "tools/common/workspace_args.h"

namespace benchtop {
namespace {

constexpr int kDefaultMaxResults = 50;
constexpr int kLargestMaxResults = 500;
// One ctags process gets at most this much source (and at most kBatchFiles files).
constexpr size_t kBatchBytes = 8 * 1024 * 1024;
constexpr size_t kBatchFiles = 256;
constexpr size_t kNamedFiles = 5;  // files named in a note about failures

using Clock = std::chrono::steady_clock;

nlohmann::json input_schema() {
  return {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", {"name"}},
      {"properties",
       {{"project", project_property()},
        {"name", {{"type", "string"}, {"minLength", 1}, {"description", "Symbol name (exact)."}}},
        {"prefix", {{"type", "boolean"}, {"description", "Match by prefix."}}},
        {"kind", {{"type", "string"}, {"description", "Only this kind, e.g. function."}}},
        {"path", {{"type", "string"}, {"description", "Where to search."}}},
        {"max_results",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", kLargestMaxResults},
          {"default", kDefaultMaxResults},
          {"description", "Most definitions."}}}}}};
}

struct FoundSymbol {
  std::string path;
  uint64_t line = 0;
  std::optional<uint64_t> end_line;
  std::string name;
  std::string kind;
  std::optional<std::string> scope;
  std::optional<std::string> signature;
};
BOOST_DESCRIBE_STRUCT(FoundSymbol, (), (path, line, end_line, name, kind, scope, signature))

struct FindResult {
  std::vector<FoundSymbol> matches;
  uint64_t files_searched = 0;
  bool truncated = false;
  std::optional<std::string> note;
  static constexpr FieldDoc kFieldDocs[] = {
      {"matches", "Definitions in path order, then line order."},
      {"truncated", "The search stopped early (a cap or the time budget): more may exist."}};
};
BOOST_DESCRIBE_STRUCT(FindResult, (), (matches, files_searched, truncated, note))

bool same_kind(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The files of one ctags run: contents copied out of the read buffer, paths to report.
struct Batch {
  std::vector<std::string> paths;
  std::vector<std::string> contents;
  size_t bytes = 0;

  bool full() const { return bytes >= kBatchBytes || paths.size() >= kBatchFiles; }
  void clear() {
    paths.clear();
    contents.clear();
    bytes = 0;
  }
};

struct Search {
  Search(Ctags& ctags, SymbolFilter keep, size_t max_results, size_t max_file_bytes,
         Clock::time_point deadline, const CancellationToken& cancellation)
      : ctags(ctags),
        keep(std::move(keep)),
        max_results(max_results),
        max_file_bytes(max_file_bytes),
        deadline(deadline),
        cancellation(cancellation) {}

  Ctags& ctags;
  SymbolFilter keep;
  size_t max_results;
  size_t max_file_bytes;
  Clock::time_point deadline;
  const CancellationToken& cancellation;

  FindResult result;
  std::string text;
  size_t binary = 0, large = 0, unreadable = 0;
  std::vector<std::string> failed;     // ctags died on them
  std::vector<std::string> timed_out;  // the budget ran out while ctags was on them
  bool out_of_time = false;
  size_t not_searched = 0;  // files the budget left unread or untagged
  std::optional<Error> error;

  // Tags the batch and files its matches. False once the search must stop.
  bool flush(Batch& batch) {
    if (batch.paths.empty()) return true;
    std::vector<SourceFile> sources;
    for (size_t i = 0; i < batch.paths.size(); ++i) {
      const std::string& path = batch.paths[i];
      sources.push_back({path.substr(path.rfind('/') + 1), batch.contents[i]});
    }
    auto tagged = ctags.tag(sources, deadline, cancellation, keep, max_results + 1);
    if (!tagged) {
      error = tagged.error();
      return false;
    }
    for (size_t i = 0; i < tagged->size(); ++i) {
      const TaggedFile& file = (*tagged)[i];
      const std::string shown = escape_path(batch.paths[i]);
      switch (file.outcome) {
        case TaggedFile::Outcome::kFailed:
          failed.push_back(shown);
          break;
        case TaggedFile::Outcome::kTimedOut:
          timed_out.push_back(shown);
          out_of_time = true;
          ++not_searched;
          break;
        case TaggedFile::Outcome::kNotReached:
          out_of_time = !cancellation.cancelled();
          ++not_searched;
          break;
        default:
          break;
      }
      for (const Symbol& symbol : file.symbols) {
        if (result.matches.size() >= max_results) {
          result.truncated = true;
          break;
        }
        add(shown, symbol);
      }
    }
    batch.clear();
    return !result.truncated && !out_of_time && !cancellation.cancelled();
  }

  void add(const std::string& shown, const Symbol& symbol) {
    FoundSymbol& item = result.matches.emplace_back();
    item.path = shown;
    item.line = symbol.line;
    item.end_line = symbol.end_line;
    item.name = symbol.name;
    item.kind = symbol.kind;
    item.scope = shown_scope(symbol);
    item.signature = shown_signature(symbol);
    text += shown + ':' + line_range(symbol).substr(1) + "  " + symbol_label(symbol);
    if (item.scope) text += "  in " + *item.scope;
    text += '\n';
  }

  std::string note(const std::string& name) const {
    std::string note;
    auto add_sentence = [&note](const std::string& sentence) {
      if (!note.empty()) note += ' ';
      note += sentence;
    };
    auto listed = [](const std::vector<std::string>& paths) {
      std::string list;
      for (size_t i = 0; i < paths.size() && i < kNamedFiles; ++i) {
        list += (i ? ", " : "") + paths[i];
      }
      if (paths.size() > kNamedFiles) list += ", ...";
      return list;
    };
    if (result.truncated && !out_of_time) {
      add_sentence("Stopped at " + std::to_string(max_results) +
                   " definitions; more may exist. Narrow `path` or `kind`, or raise "
                   "max_results.");
    }
    if (out_of_time) {
      add_sentence(not_searched == 0
                       ? std::string("The time budget ran out; narrow `path`.")
                       : "The time budget ran out with " + std::to_string(not_searched) +
                             " files not searched; narrow `path`.");
    }
    if (result.matches.empty() && !out_of_time) {
      add_sentence("No definition of '" + name + "' in " + std::to_string(result.files_searched) +
                   " files searched. Names match exactly (set prefix for names that start "
                   "with it); only languages ctags knows are indexed, and files ignored by "
                   ".gitignore, hidden or binary are skipped. fs_grep finds any text.");
    }
    if (!timed_out.empty()) add_sentence("ctags did not finish " + listed(timed_out) + ".");
    if (!failed.empty()) add_sentence("ctags failed on " + listed(failed) + ".");
    if (large > 0) {
      add_sentence(std::to_string(large) + " files over " + human_bytes(max_file_bytes) +
                   " skipped.");
    }
    if (binary > 0) add_sentence(std::to_string(binary) + " binary files skipped.");
    if (unreadable > 0) add_sentence(std::to_string(unreadable) + " files could not be read.");
    return note;
  }
};

ToolResult run(WorkspaceProvider& provider, Ctags& ctags, const CodeToolOptions& options,
               const nlohmann::json& args, ToolContext& context) {
  const auto deadline = Clock::now() + options.find_budget;
  auto workspace = workspace_for(provider, args);
  if (!workspace) return ToolResult::from_error(workspace.error());
  const Workspace& ws = **workspace;
  auto start = ws.relative_path(optional_string(args, "path").value_or(""));
  if (!start) return ToolResult::from_error(start.error());
  const std::string name = args.at("name").get<std::string>();
  const bool prefix = args.value("prefix", false);
  const std::optional<std::string> kind = optional_string(args, "kind");

  WalkOptions walk;
  walk.cancellation = context.cancellation();
  std::vector<std::string> files;
  WalkProgress progress(context);
  bool walk_out_of_time = false;
  auto walked = walk_tree(ws, *start, walk, [&](const WalkEntry& entry) {
    progress.entry();
    if (progress.entries() % 256 == 0 && Clock::now() >= deadline) {
      walk_out_of_time = true;
      return WalkAction::kStop;
    }
    if (entry.type == EntryType::kFile) files.emplace_back(entry.path);
    return WalkAction::kContinue;
  });
  if (!walked) {
    const Error& error = walked.error();
    if (error.code == "not_found") {
      return ToolResult::error(error.message + ". Omit `path` to search the whole workspace.");
    }
    if (error.code != "not_directory") return ToolResult::from_error(error);
    files.push_back(*start);  // `path` names a single file
  } else if (walked->stopped && context.cancelled()) {
    return ToolResult::error("code_find was cancelled.");
  }

  Search search(
      ctags,
      [&](const Symbol& symbol) {
        const bool named = prefix ? symbol.name.starts_with(name) : symbol.name == name;
        return named && (!kind || same_kind(symbol.kind, *kind));
      },
      bounded_count(args, "max_results", kDefaultMaxResults, 1, kLargestMaxResults),
      options.max_file_bytes, deadline, context.cancellation());
  search.out_of_time = walk_out_of_time;
  if (context.wants_progress()) {
    progress.report("Searching " + std::to_string(files.size()) + " files");
  }
  ReadBuffer buffer;
  Batch batch;
  size_t next = 0;
  bool going = !walk_out_of_time;
  for (; going && next < files.size(); ++next) {
    if (context.cancelled()) break;
    if (Clock::now() >= deadline) {
      search.out_of_time = true;
      break;
    }
    std::string_view contents;
    switch (read_whole_file(ws.root_fd(), files[next], options.max_file_bytes, buffer, contents)) {
      case ReadOutcome::kRead:
        ++search.result.files_searched;
        // A file that never spells the name cannot define it: ctags is spared most files.
        if (contents.find(name) == std::string_view::npos) continue;
        batch.paths.push_back(files[next]);
        batch.contents.emplace_back(contents);
        batch.bytes += contents.size();
        if (batch.full()) going = search.flush(batch);
        break;
      case ReadOutcome::kBinary:
        ++search.binary;
        break;
      case ReadOutcome::kTooLarge:
        ++search.large;
        break;
      default:
        ++search.unreadable;
        break;
    }
  }
  if (going) search.flush(batch);
  if (search.error) return ToolResult::from_error(*search.error);
  if (context.cancelled()) return ToolResult::error("code_find was cancelled.");
  if (!walked && search.unreadable == 1) {
    return ToolResult::error("Cannot read '" + escape_path(*start) +
                             "': it is a symlink, a special file or not readable. code_find "
                             "reads regular files only and does not follow symlinks.");
  }

  search.not_searched += files.size() - next;
  if (search.out_of_time) search.result.truncated = true;
  std::string note = search.note(name);
  FindResult result = std::move(search.result);
  std::string text = std::move(search.text);
  end_with_note(text, result.note, std::move(note));
  return ToolResult::success(to_structured(result), std::move(text));
}

}  // namespace

Tool code_find_tool(WorkspaceProvider& provider, Ctags& ctags, CodeToolOptions options) {
  return read_only_code_tool({"code_find", "Find symbol",
                              "Where a symbol (class, function...) is defined, with line ranges."},
                             input_schema(), schema_of<FindResult>(), provider, ctags, options,
                             run);
}

}  // namespace benchtop
