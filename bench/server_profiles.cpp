#include "bench/server_profiles.h"

#include "bench/tree_layout.h"

namespace benchtop::bench {
namespace {

using nlohmann::json;

std::string in_tree(const std::string& tree, std::string_view relative) {
  return tree + "/" + std::string(relative);
}

ServerProfile benchtop_profile(ServerProfile profile) {
  auto& calls = profile.calls;
  calls[Workload::kSmallRead] = {
      "fs_read", json{{"path", kSmallFile}},
      "fs_read {path}: the whole file as text, path relative to the project root, opened beneath "
      "the root fd (openat2 RESOLVE_BENEATH)."};
  calls[Workload::kLargeRead] = {
      "fs_read", json{{"path", kLargeFile}, {"limit", kLargeFileBytes}},
      "fs_read {path, limit}: the requested range of the file as text; limit set so that the "
      "whole 1 MiB comes back."};
  calls[Workload::kGlob] = {
      "fs_glob", json{{"pattern", kGlobPattern}},
      "fs_glob {pattern}: files under the project root whose relative path matches the glob; "
      "honours .gitignore (node_modules/, build/ are skipped)."};
  calls[Workload::kGrep] = {
      "fs_grep", json{{"pattern", kGrepRegex}},
      "fs_grep {pattern}: PCRE2 regex over every text file under the root, honouring .gitignore "
      "and skipping binary files; returns path:line:text matches."};
  calls[Workload::kList] = {"fs_list", json{{"path", kListDirectory}, {"depth", 1}},
                            "fs_list {path, depth: 1}: one level of entries with their types."};
  return profile;
}

ServerProfile filesystem_profile(ServerProfile profile, const std::string& tree) {
  auto& calls = profile.calls;
  calls[Workload::kSmallRead] = {
      "read_text_file", json{{"path", in_tree(tree, kSmallFile)}},
      "read_text_file {path}: realpath() check, fs.readFile as UTF-8, the text returned twice "
      "(content[0].text and structuredContent.content)."};
  calls[Workload::kLargeRead] = {
      "read_text_file", json{{"path", in_tree(tree, kLargeFile)}},
      "read_text_file {path}: the whole 1 MiB file, returned twice (text and structured content)."};
  calls[Workload::kGlob] = {
      "search_files", json{{"path", tree}, {"pattern", kGlobPattern}},
      "search_files {path, pattern}: walks every directory including node_modules/ and build/ (no "
      ".gitignore), realpath() on every entry, minimatch(dot: true) on the path relative to "
      "`path`; returns absolute paths of matching files and directories."};
  profile.missing[Workload::kGrep] =
      "no content search tool (search_files matches names only); see rg for the grep baseline";
  calls[Workload::kList] = {
      "list_directory", json{{"path", in_tree(tree, kListDirectory)}},
      "list_directory {path}: one level, \"[FILE] name\" / \"[DIR] name\" lines in readdir "
      "order."};
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
  }
  return "?";
}

Result<ServerProfile> make_profile(std::string name, std::string_view kind,
                                   std::vector<std::string> command, const std::string& tree) {
  if (command.empty()) return Error::make("server '" + name + "' has an empty command");
  ServerProfile profile{std::move(name), std::string(kind), std::move(command), {}, {}};
  if (kind == "benchtop") return benchtop_profile(std::move(profile));
  if (kind == "server-filesystem") return filesystem_profile(std::move(profile), tree);
  return Error::make("unknown server kind '" + std::string(kind) +
                     "' (known: benchtop, server-filesystem)");
}

}  // namespace benchtop::bench
