// Glob patterns and .gitignore rules: the first line is a glob, the whole input also a .gitignore
// file, and every later line a path matched against both (as a file and as a directory).
#include "fuzz/fuzz_input.h"
#include "server/workspace/search/gitignore.h"
#include "server/workspace/search/glob_pattern.h"

using namespace benchtop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  auto [pattern, paths] = fuzz::first_line(text);
  auto glob = GlobPattern::compile(pattern);
  auto plain = GlobPattern::compile(pattern, {.braces = false});
  const GitignoreFile ignore = GitignoreFile::parse(text, "");
  const GitignoreFile nested = GitignoreFile::parse(text, "sub");
  while (!paths.empty()) {
    std::string_view path;
    std::tie(path, paths) = fuzz::first_line(paths);
    if (glob) {
      (void)glob->matches(path);
      (void)glob->could_match_beneath(path);
    }
    if (plain) (void)plain->matches(path);
    for (const bool is_dir : {false, true}) {
      (void)ignore.match(path, is_dir);
      if (path.starts_with("sub/")) (void)nested.match(path, is_dir);
    }
  }
  return 0;
}
