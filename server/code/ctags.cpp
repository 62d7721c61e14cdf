#include "server/code/ctags.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace benchtop {
namespace {

using json = nlohmann::json;

// A longer output line (a tag with a huge signature) is dropped whole.
constexpr size_t kMaxLine = 1024 * 1024;
// What is kept of ctags' own stdout and stderr, for the message when it cannot run.
constexpr size_t kDiagnosticBytes = 4096;
constexpr size_t kShownDiagnostic = 300;

bool plain_name(std::string_view name, size_t longest) {
  if (name.empty() || name.size() > longest) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' &&
        c != '+') {
      return false;
    }
  }
  return true;
}

// What ctags is told the file is called: enough for its language guess (an extension or a
// well-known name such as Makefile) and short, plain and free of anything of the host.
std::string hint_name(std::string_view name) {
  if (plain_name(name, 100)) return std::string(name);
  const size_t dot = name.rfind('.');
  if (dot != std::string_view::npos && plain_name(name.substr(dot + 1), 16)) {
    return "file." + std::string(name.substr(dot + 1));
  }
  return "file";
}

std::string text_field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

uint64_t line_field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

// Reads ctags' JSON lines as they stream and files what they say under the file being tagged.
class TagReader {
 public:
  TagReader(const std::vector<SourceFile>& files, std::vector<TaggedFile>& tagged, size_t first,
            const SymbolFilter& keep, size_t max_symbols)
      : files_(files), tagged_(tagged), current_(first), keep_(keep), max_symbols_(max_symbols) {}

  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const size_t newline = bytes.find('\n');
      const std::string_view piece = bytes.substr(0, newline);
      if (!skipping_) {
        if (partial_.size() + piece.size() > kMaxLine) {
          partial_.clear();
          skipping_ = true;
        } else {
          partial_.append(piece);
        }
      }
      if (newline == std::string_view::npos) return;
      if (!skipping_) line(partial_);
      partial_.clear();
      skipping_ = false;
      bytes.remove_prefix(newline + 1);
    }
  }

  bool started() const { return started_; }
  size_t current() const { return current_; }

 private:
  void line(std::string_view text) {
    const json message = json::parse(text, nullptr, false);
    if (!message.is_object()) return;
    const std::string type = text_field(message, "_type");
    if (type == "program") {
      started_ = true;
    } else if (type == "completed") {
      if (current_ < tagged_.size()) finish_file();
    } else if (type == "tag" && current_ < tagged_.size()) {
      add_tag(message);
    }
  }

  void add_tag(const json& message) {
    TaggedFile& file = tagged_[current_];
    // The tag --extras=+f adds for the file itself: it names the language ctags parsed it as.
    if (text_field(message, "extras").find("inputFile") != std::string::npos) {
      file.language = text_field(message, "language");
      return;
    }
    Symbol symbol;
    symbol.name = text_field(message, "name");
    symbol.kind = text_field(message, "kind");
    symbol.line = line_field(message, "line");
    if (symbol.name.empty() || symbol.line == 0) return;
    if (const uint64_t end = line_field(message, "end"); end >= symbol.line) symbol.end_line = end;
    symbol.scope = text_field(message, "scope");
    symbol.scope_kind = text_field(message, "scopeKind");
    symbol.signature = text_field(message, "signature");
    if (keep_ && !keep_(symbol)) return;
    if (file.symbols.size() >= max_symbols_) {
      ++file.more;
      return;
    }
    file.symbols.push_back(std::move(symbol));
  }

  void finish_file() {
    TaggedFile& file = tagged_[current_];
    file.outcome = file.language.empty() ? TaggedFile::Outcome::kUnknownLanguage
                                         : TaggedFile::Outcome::kTagged;
    infer_block_ends(files_[current_].contents, file.language, file.symbols);
    sort_by_position(file.symbols);
    ++current_;
  }

  const std::vector<SourceFile>& files_;
  std::vector<TaggedFile>& tagged_;
  size_t current_;
  const SymbolFilter& keep_;
  size_t max_symbols_;
  std::string partial_;
  bool skipping_ = false;
  bool started_ = false;
};

std::string shown_diagnostic(const ExecResult& result) {
  std::string text;
  size_t at = 0;
  while (at < result.stderr_text.size()) {
    const size_t end = std::min(result.stderr_text.find('\n', at), result.stderr_text.size());
    const std::string_view line = std::string_view(result.stderr_text).substr(at, end - at);
    at = end + 1;
    // ctags says this on every start; it explains nothing.
    if (line.empty() || line.find("No options will be read") != std::string_view::npos) continue;
    if (!text.empty()) text += "; ";
    text += line;
  }
  if (text.size() > kShownDiagnostic) text = text.substr(0, kShownDiagnostic) + "...";
  if (!text.empty()) return text;
  if (result.signal) return "killed by signal " + std::to_string(*result.signal);
  return "exit status " + std::to_string(result.exit_code.value_or(-1));
}

}  // namespace

std::filesystem::path default_ctags_program() {
  const std::filesystem::path universal = "/usr/bin/ctags-universal";
  return ::access(universal.c_str(), X_OK) == 0 ? universal : "/usr/bin/ctags";
}

Ctags::Ctags(ConfinedHelper& helper, CtagsOptions options)
    : helper_(helper), options_(std::move(options)) {}

Result<std::vector<TaggedFile>> Ctags::tag(const std::vector<SourceFile>& files,
                                           std::chrono::steady_clock::time_point deadline,
                                           const CancellationToken& cancellation,
                                           const SymbolFilter& keep, size_t max_symbols) {
  if (::access(options_.program.c_str(), X_OK) != 0) {
    return Error::make("Universal Ctags is not installed on the server (" +
                           options_.program.string() +
                           " not found): the operator can install the Debian package "
                           "universal-ctags (scripts/setup.sh does)",
                       "unavailable");
  }
  std::vector<TaggedFile> tagged(files.size());
  size_t next = 0;
  while (next < files.size() && !cancellation.cancelled()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    HelperRun run;
    // --options=NONE first: no option file is read (a project's .ctags.d could define parsers).
    run.argv = {options_.program.string(),   "--options=NONE",       "--_interactive=sandbox",
                "--guess-language-eagerly",  "--output-format=json", "--extras=+f",
                "--fields=-P-f-T-t+neKSZlE", "--kinds-C=+p",         "--kinds-C++=+p"};
    run.timeout = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    run.output_limit = kDiagnosticBytes;
    for (size_t i = next; i < files.size(); ++i) {
      const json request = {{"command", "generate-tags"},
                            {"filename", std::to_string(i) + "/" + hint_name(files[i].name)},
                            {"size", files[i].contents.size()}};
      run.stdin_data += request.dump();
      run.stdin_data += '\n';
      run.stdin_data += files[i].contents;
    }
    TagReader reader(files, tagged, next, keep, max_symbols);
    auto ran = helper_.run(std::move(run), cancellation,
                           [&reader](std::string_view stream, std::string_view bytes) {
                             if (stream == "stdout") reader.feed(bytes);
                           });
    if (!ran) return ran.take_error();
    next = reader.current();
    if (next >= files.size() || ran->cancelled) break;
    // What ctags had said about the file it was on is incomplete.
    tagged[next].symbols.clear();
    tagged[next].more = 0;
    if (ran->timed_out) {
      tagged[next].outcome = TaggedFile::Outcome::kTimedOut;
      break;
    }
    if (!reader.started()) {
      return Error::make("ctags (" + options_.program.string() +
                             ") could not run: " + shown_diagnostic(*ran) +
                             ". benchtop needs Universal Ctags with JSON output, interactive "
                             "mode and its sandbox (the Debian package universal-ctags)",
                         "unavailable");
    }
    tagged[next].outcome = TaggedFile::Outcome::kFailed;
    ++next;
  }
  return tagged;
}

}  // namespace benchtop
