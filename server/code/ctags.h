// Symbols from Universal Ctags. ctags never opens a file of a project: the caller reads the
// contents through the workspace guard and they reach ctags on stdin, in its interactive JSON
// mode ({"command":"generate-tags","filename":...,"size":N} then N bytes per file), with
// `--_interactive=sandbox`, in which ctags itself enters a seccomp allow-list (read, write, memory,
// exit) before it reads any input. The process runs confined (ConfinedHelper: no workspace, no
// network, limits, a deadline) and its output is parsed as it streams, as untrusted data.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/code/symbols.h"
#include "server/sandbox/linux/confined_helper.h"

namespace benchtop {

struct SourceFile {
  std::string name;  // the file's name (its last path component): ctags guesses the language
  std::string_view contents;
};

struct TaggedFile {
  enum class Outcome {
    kTagged,           // parsed: `language` and `symbols` are set
    kUnknownLanguage,  // no ctags parser for it
    kFailed,           // ctags died on it (the files after it were tagged by a new ctags)
    kTimedOut,         // the deadline came while ctags was on it
    kNotReached,       // the deadline or a cancellation came before it
  };
  Outcome outcome = Outcome::kNotReached;
  std::string language;         // as ctags names it: "C++", "Python", "TypeScript"...
  std::vector<Symbol> symbols;  // kept ones, sorted by position
  size_t more = 0;              // kept ones beyond `max_symbols`, counted only
};

using SymbolFilter = std::function<bool(const Symbol&)>;

// /usr/bin/ctags-universal, the name Debian's universal-ctags also installs (so another ctags
// chosen by update-alternatives is not picked up), else /usr/bin/ctags.
std::filesystem::path default_ctags_program();

struct CtagsOptions {
  std::filesystem::path program = default_ctags_program();
};

class Ctags {
 public:
  Ctags(ConfinedHelper& helper, CtagsOptions options = {});

  // Tags `files` with one ctags process (and a new one after a file that made it die) until
  // `deadline` or cancellation. Keeps the symbols `keep` accepts (all when it is empty), at most
  // `max_symbols` of them per file. Fails only when ctags cannot run at all: not installed (code
  // "unavailable", naming the package) or not a Universal Ctags with JSON, interactive mode and
  // its sandbox.
  Result<std::vector<TaggedFile>> tag(const std::vector<SourceFile>& files,
                                      std::chrono::steady_clock::time_point deadline,
                                      const CancellationToken& cancellation,
                                      const SymbolFilter& keep = {}, size_t max_symbols = SIZE_MAX);

  const std::filesystem::path& program() const { return options_.program; }

 private:
  ConfinedHelper& helper_;
  CtagsOptions options_;
};

}  // namespace benchtop
