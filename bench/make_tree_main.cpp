// bench_make_tree DIR: writes the deterministic benchmark tree into DIR (which must not exist or
// be empty) and prints what it wrote.
#include <cstdio>

#include "bench/tree_generator.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_make_tree DIR\n");
    return 2;
  }
  auto summary = benchtop::bench::generate_tree(argv[1]);
  if (!summary) {
    std::fprintf(stderr, "bench_make_tree: %s\n", summary.error().message.c_str());
    return 1;
  }
  std::printf(
      "tree %s: %llu files (%llu hidden by .gitignore, %llu binary), %llu directories, %.1f MiB; "
      "%llu *.ts files (%llu not ignored)\n",
      argv[1], static_cast<unsigned long long>(summary->files),
      static_cast<unsigned long long>(summary->ignored_files),
      static_cast<unsigned long long>(summary->binary_files),
      static_cast<unsigned long long>(summary->directories),
      static_cast<double>(summary->bytes) / (1024.0 * 1024.0),
      static_cast<unsigned long long>(summary->ts_files),
      static_cast<unsigned long long>(summary->ts_files_visible));
  return 0;
}
