// Writes the benchmark tree: a few thousand source-like files in nested directories, a .gitignore
// that hides a node_modules/ full of files (and a build/ output dir and *.log files), some binary
// files, one 1 MiB text file, and an empty .git/ so that the tree is a repository. The output
// depends on nothing but the code, so every server in a run and every run on every machine sees
// byte-identical input.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.h"

namespace benchtop::bench {

struct TreeSummary {
  uint64_t files = 0;
  uint64_t directories = 0;
  uint64_t bytes = 0;
  uint64_t ignored_files = 0;  // under node_modules/, build/ or matching *.log
  uint64_t binary_files = 0;
  uint64_t ts_files = 0;          // every *.ts, ignored or not
  uint64_t ts_files_visible = 0;  // *.ts not hidden by .gitignore
};

// `root` must not exist or be an empty directory.
Result<TreeSummary> generate_tree(const std::filesystem::path& root);

}  // namespace benchtop::bench
