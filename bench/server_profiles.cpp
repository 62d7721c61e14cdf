#include "bench/server_profiles.h"

#include <algorithm>
#include <fstream>

#include "bench/tree_layout.h"

namespace benchtop::bench {
namespace {

using nlohmann::json;

std::string in_tree(const std::string& tree, std::string_view relative) {
  return tree + "/" + std::string(relative);
}

// fs_read returns at most the output budget per call (32 KiB), so the 1 MiB file takes many
// calls; a page of this many lines of data/large.txt (about 67 bytes a line) stays within it.
constexpr int64_t kBenchtopLinesPerRead = 400;

Result<int64_t> count_lines(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::make("cannot read " + path);
  int64_t lines = 0;
  char buffer[65536];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    lines += std::count(buffer, buffer + file.gcount(), '\n');
  }
  return lines;
}

Result<ServerProfile> benchtop_profile(ServerProfile profile, const std::string& tree) {
  auto& calls = profile.calls;
  calls[Workload::kGitStatus] = {
      "git_status",
      {json::object()},
      "git_status {}: libgit2 status of the --root project (staged, unstaged, untracked, "
      "conflicted, upstream ahead/behind), the repository opened through the workspace guard "
      "on every call; text plus structured content."};
  calls[Workload::kGitLog] = {
      "git_log",
      {json{{"max_count", 10}}},
      "git_log {max_count: 10}: libgit2 revwalk from HEAD, id/author/date/summary per commit; "
      "text plus structured content."};
  calls[Workload::kGitDiff] = {
      "git_diff",
      {json::object()},
      "git_diff {}: libgit2 index-to-work-tree unified diff, untracked files included, capped at "
      "100 KB; per-file line counts plus the patch, as text and structured content."};
  auto large_lines = count_lines(in_tree(tree, kLargeFile));
  if (!large_lines) {
    // Not the file benchmark tree (e.g. the git repository): only the git workloads apply.
    for (Workload workload : kAllWorkloads) profile.missing[workload] = "not in this tree";
    return profile;
  }
  std::vector<json> pages;
  for (int64_t first = 1; first <= *large_lines; first += kBenchtopLinesPerRead) {
    pages.push_back(
        json{{"path", kLargeFile}, {"offset", first}, {"limit", kBenchtopLinesPerRead}});
  }

  const std::string page_count = std::to_string(pages.size());

  calls[Workload::kSmallRead] = {
      "fs_read",
      {json{{"path", kSmallFile}}},
      "fs_read {path}: the file's lines verbatim (up to 2000 lines / 32 KiB per call), opened "
      "beneath the project root's fd (openat2 RESOLVE_BENEATH), checked to be UTF-8; text plus "
      "structured content {path, size, content, lines...}."};
  calls[Workload::kLargeRead] = {
      "fs_read", std::move(pages),
      "fs_read {path, offset, limit: 400}, " + page_count +
          " calls: fs_read pages within its 32 KiB output budget, so one operation is the " +
          "sequence of pages that returns all " + std::to_string(*large_lines) +
          " lines (each page returned as text and as structured content)."};
  calls[Workload::kGlob] = {
      "fs_glob",
      {json{{"pattern", kGlobPattern}, {"max_results", 10000}}},
      "fs_glob {pattern, max_results: 10000}: entries under the project root whose relative path "
      "matches; honours .gitignore (node_modules/, build/ skipped) and skips hidden entries; "
      "returns sorted relative paths (max_results raised so that every match is returned)."};
  calls[Workload::kGrep] = {
      "fs_grep",
      {json{{"pattern", kGrepRegex}, {"max_results", 5000}}},
      "fs_grep {pattern, max_results: 5000}: PCRE2 (JIT) over every file under the root, "
      "honouring .gitignore, skipping hidden and binary files, two threads; returns "
      "path:line: text lines (max_results raised from the default 200 so that every match is "
      "returned, as rg does)."};
  calls[Workload::kList] = {
      "fs_list",
      {json{{"path", kListDirectory}, {"depth", 1}}},
      "fs_list {path, depth: 1}: one level, sorted by name, each entry with its type and size "
      "(an fstatat per entry)."};
  return profile;
}

ServerProfile filesystem_profile(ServerProfile profile, const std::string& tree) {
  auto& calls = profile.calls;
  calls[Workload::kSmallRead] = {
      "read_text_file",
      {json{{"path", in_tree(tree, kSmallFile)}}},
      "read_text_file {path}: realpath() check, fs.readFile as UTF-8, the text returned twice "
      "(content[0].text and structuredContent.content)."};
  calls[Workload::kLargeRead] = {
      "read_text_file",
      {json{{"path", in_tree(tree, kLargeFile)}}},
      "read_text_file {path}: the whole 1 MiB in one call, returned twice (text and structured "
      "content); no size limit."};
  calls[Workload::kGlob] = {
      "search_files",
      {json{{"path", tree}, {"pattern", kGlobPattern}}},
      "search_files {path, pattern}: walks every directory including node_modules/ and build/ (no "
      ".gitignore), realpath() on every entry, minimatch(dot: true) on the path relative to "
      "`path`; returns absolute paths of matching files and directories, unsorted, unlimited."};
  profile.missing[Workload::kGrep] =
      "no content search tool (search_files matches names only); rg is the grep baseline";
  calls[Workload::kList] = {
      "list_directory",
      {json{{"path", in_tree(tree, kListDirectory)}}},
      "list_directory {path}: one level, \"[FILE] name\" / \"[DIR] name\" lines in readdir "
      "order, no sizes."};
  return profile;
}

ServerProfile floor_profile(ServerProfile profile, const std::string& tree) {
  auto& calls = profile.calls;
  calls[Workload::kSmallRead] = {
      "read_text_file",
      {json{{"path", in_tree(tree, kSmallFile)}}},
      "bench_floor_server: openat2 beneath the root, fstat, pread, close, one write; no JSON "
      "parsing, no validation, one thread; the text escaped by hand and returned twice."};
  calls[Workload::kLargeRead] = {
      "read_text_file",
      {json{{"path", in_tree(tree, kLargeFile)}}},
      "bench_floor_server: the whole 1 MiB in one pread, returned twice."};
  const char* kOnlyReads = "the floor server only reads files";
  for (Workload workload : {Workload::kGlob, Workload::kGrep, Workload::kList}) {
    profile.missing[workload] = kOnlyReads;
  }
  return profile;
}

ServerProfile git_mcp_server_profile(ServerProfile profile, const std::string& tree) {
  auto& calls = profile.calls;
  calls[Workload::kGitStatus] = {
      "git_status",
      {json{{"path", tree}}},
      "git_status {path}: runs the git CLI (git status --porcelain) in a child process; JSON "
      "text plus structured content."};
  calls[Workload::kGitLog] = {
      "git_log",
      {json{{"path", tree}, {"maxCount", 10}}},
      "git_log {path, maxCount: 10}: runs git log in a child process; JSON text plus structured "
      "content."};
  calls[Workload::kGitDiff] = {
      "git_diff",
      {json{{"path", tree}, {"includeUntracked", true}}},
      "git_diff {path, includeUntracked: true}: runs git diff in child processes; JSON text plus "
      "structured content."};
  for (Workload workload : kAllWorkloads) profile.missing[workload] = "no file tools";
  return profile;
}

}  // namespace

std::string_view workload_name(Workload workload) {
  switch (workload) {
    case Workload::kSmallRead:
      return "read small";
    case Workload::kLargeRead:
      return "read 1 MiB";
    case Workload::kGlob:
      return "glob";
    case Workload::kGrep:
      return "grep";
    case Workload::kList:
      return "list dir";
    case Workload::kGitStatus:
      return "git status";
    case Workload::kGitLog:
      return "git log";
    case Workload::kGitDiff:
      return "git diff";
  }
  return "?";
}

std::string_view workload_id(Workload workload) {
  switch (workload) {
    case Workload::kSmallRead:
      return "read-small";
    case Workload::kLargeRead:
      return "read-large";
    case Workload::kGlob:
      return "glob";
    case Workload::kGrep:
      return "grep";
    case Workload::kList:
      return "list";
    case Workload::kGitStatus:
      return "git-status";
    case Workload::kGitLog:
      return "git-log";
    case Workload::kGitDiff:
      return "git-diff";
  }
  return "?";
}

std::string_view workload_summary(Workload workload) {
  switch (workload) {
    case Workload::kSmallRead:
      return "read src/main.ts (about 2 KiB)";
    case Workload::kLargeRead:
      return "read data/large.txt (1 MiB of text)";
    case Workload::kGlob:
      return "find **/*.ts over the whole tree";
    case Workload::kGrep:
      return "search file contents for the regex TODO\\([a-z]+\\)";
    case Workload::kList:
      return "list the entries of src/";
    case Workload::kGitStatus:
      return "status of a 40-file repository with 3 modified files and 2 new ones";
    case Workload::kGitLog:
      return "the last 10 of 30 commits";
    case Workload::kGitDiff:
      return "unstaged diff of the same repository (3 modified, 2 new files)";
  }
  return "?";
}

Result<ServerProfile> make_profile(std::string name, std::string_view kind,
                                   std::vector<std::string> command, const std::string& tree) {
  if (command.empty()) return Error::make("server '" + name + "' has an empty command");
  ServerProfile profile{std::move(name), std::string(kind), std::move(command), {}, {}};
  if (kind == "benchtop") return benchtop_profile(std::move(profile), tree);
  if (kind == "server-filesystem") return filesystem_profile(std::move(profile), tree);
  if (kind == "git-mcp-server") return git_mcp_server_profile(std::move(profile), tree);
  if (kind == "floor") return floor_profile(std::move(profile), tree);
  return Error::make("unknown server kind '" + std::string(kind) +
                     "' (known: benchtop, server-filesystem, git-mcp-server, floor)");
}

}  // namespace benchtop::bench
