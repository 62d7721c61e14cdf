// The fixed facts about the benchmark tree that the generator writes and the harness reads, so the
// two can never disagree about which file is "the small file" or which regex the grep runs.
#pragma once

#include <string_view>

namespace benchtop::bench {

// Paths are relative to the tree root.
inline constexpr std::string_view kSmallFile = "src/main.ts";     // about 2 KiB of source
inline constexpr std::string_view kLargeFile = "data/large.txt";  // exactly 1 MiB of text lines
inline constexpr std::string_view kListDirectory = "src";         // a dozen entries, one level
inline constexpr std::string_view kGlobPattern =
    "**/*.ts";  // matches in src/, tests/, node_modules/
inline constexpr std::string_view kGrepRegex = "TODO\\([a-z]+\\)";  // a few hundred matching lines
inline constexpr size_t kLargeFileBytes = 1 << 20;

// Bumped whenever the generator's output changes, so stale trees are regenerated.
inline constexpr std::string_view kTreeVersion = "benchtop-bench-tree v1";
inline constexpr std::string_view kStampFile = ".bench-tree-version";

}  // namespace benchtop::bench
