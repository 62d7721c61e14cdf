#include "bench/tree_generator.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "bench/tree_layout.h"

namespace benchtop::bench {
namespace {

namespace fs = std::filesystem;

// SplitMix64: tiny, fast and identical everywhere, unlike the std distributions whose output is
// implementation-defined.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound).
  uint64_t below(uint64_t bound) { return next() % bound; }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

 private:
  uint64_t state_;
};

constexpr std::array<std::string_view, 24> kWords = {
    "account", "buffer",  "cache",  "config", "cursor",  "draft",  "event",   "filter",
    "graph",   "handler", "index",  "job",    "ledger",  "matrix", "node",    "order",
    "parser",  "queue",   "render", "schema", "session", "token",  "version", "widget"};
constexpr std::array<std::string_view, 6> kOwners = {"alice", "bob",  "carol",
                                                     "dave",  "erin", "frank"};
constexpr std::array<std::string_view, 5> kTypes = {"number", "string", "boolean", "Buffer",
                                                    "unknown"};

std::string identifier(Random& random) {
  std::string name(random.pick(kWords));
  std::string_view second = random.pick(kWords);
  name += static_cast<char>(second[0] - 'a' + 'A');
  name += second.substr(1);
  return name;
}

// One TypeScript-looking function; roughly 3 % of them carry a TODO(owner) comment, which is what
// the grep workload looks for.
void append_function(std::string& out, Random& random) {
  const std::string name = identifier(random);
  const std::string_view type = random.pick(kTypes);
  out += "export function " + name + std::to_string(random.below(1000)) +
         "(input: " + std::string(type) + ", limit = " + std::to_string(random.below(4096)) +
         "): number {\n";
  const uint64_t lines = 2 + random.below(6);
  for (uint64_t i = 0; i < lines; ++i) {
    out += "  const " + identifier(random) + " = limit * " + std::to_string(random.below(97)) +
           " + String(input).length;\n";
  }
  if (random.chance(3)) {
    out += "  // TODO(" + std::string(random.pick(kOwners)) + "): check the " +
           std::string(random.pick(kWords)) + " bounds before release\n";
  }
  out += "  return limit;\n}\n\n";
}

std::string source_file(Random& random, size_t approximate_bytes) {
  std::string out = "// " + identifier(random) + " module\n";
  out += "import { " + identifier(random) + " } from \"./" + std::string(random.pick(kWords)) +
         "\";\n\n";
  while (out.size() < approximate_bytes) append_function(out, random);
  return out;
}

std::string markdown_file(Random& random, size_t approximate_bytes) {
  std::string out = "# " + identifier(random) + "\n\n";
  while (out.size() < approximate_bytes) {
    for (int i = 0; i < 12; ++i) out += std::string(random.pick(kWords)) + " ";
    out += random.chance(5) ? "TODO(" + std::string(random.pick(kOwners)) + ") explain.\n\n"
                            : std::string(".\n\n");
  }
  return out;
}

std::string json_file(Random& random) {
  std::string out = "{\n  \"name\": \"" + std::string(random.pick(kWords)) + "\",\n";
  out += "  \"version\": \"1." + std::to_string(random.below(20)) + ".0\",\n";
  out += "  \"main\": \"index.js\"\n}\n";
  return out;
}

std::string binary_file(Random& random, size_t bytes) {
  std::string out;
  out.reserve(bytes);
  out.append("\x89PNG\r\n\x1a\n", 8);
  while (out.size() < bytes) {
    const uint64_t word = random.next();
    for (int i = 0; i < 8 && out.size() < bytes; ++i) out += static_cast<char>(word >> (8 * i));
  }
  out[16] = '\0';  // make sure every binary sniffing heuristic sees a NUL early
  return out;
}

// Exactly kLargeFileBytes of numbered ASCII lines.
std::string large_text(Random& random) {
  std::string out;
  out.reserve(kLargeFileBytes);
  for (uint64_t line = 1; out.size() < kLargeFileBytes; ++line) {
    out += std::to_string(line) + ": ";
    for (int i = 0; i < 9; ++i) out += std::string(random.pick(kWords)) + " ";
    out += "\n";
  }
  out.resize(kLargeFileBytes - 1);
  out += '\n';
  return out;
}

class TreeWriter {
 public:
  explicit TreeWriter(fs::path root) : root_(std::move(root)) {}

  Status write(std::string_view relative, std::string_view content, bool ignored = false,
               bool binary = false) {
    const fs::path path = root_ / relative;
    std::error_code ec;
    const fs::path parent = path.parent_path();
    if (!fs::exists(parent, ec)) {
      // Count every directory level created so the summary matches what is on disk.
      for (fs::path p = parent; p != root_ && !fs::exists(p, ec); p = p.parent_path()) {
        ++summary_.directories;
      }
      fs::create_directories(parent, ec);
      if (ec) return Error::make("cannot create " + parent.string() + ": " + ec.message());
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return Error::make("cannot write " + path.string());
    ++summary_.files;
    summary_.bytes += content.size();
    if (ignored) ++summary_.ignored_files;
    if (binary) ++summary_.binary_files;
    if (relative.ends_with(".ts")) {
      ++summary_.ts_files;
      if (!ignored) ++summary_.ts_files_visible;
    }
    return {};
  }

  const TreeSummary& summary() const { return summary_; }

 private:
  fs::path root_;
  TreeSummary summary_;
};

std::string two_digits(uint64_t n) {
  char text[8];
  std::snprintf(text, sizeof text, "%02u", static_cast<unsigned>(n));
  return text;
}

Status write_sources(TreeWriter& writer, Random& random) {
  // src/<package>/<module>/<file> plus a deeper internal/ level: 10 x 6 x (22 + 5) files.
  for (uint64_t p = 0; p < 10; ++p) {
    const std::string package = "src/" + std::string(kWords[p]) + "-" + two_digits(p);
    for (uint64_t m = 0; m < 6; ++m) {
      const std::string module = package + "/" + std::string(kWords[(p + m + 7) % kWords.size()]);
      for (uint64_t f = 0; f < 27; ++f) {
        const bool internal = f >= 22;
        const std::string dir = internal ? module + "/internal" : module;
        const uint64_t kind = random.below(20);
        const std::string stem = dir + "/" + identifier(random) + two_digits(f);
        Status status;
        if (kind < 13) {
          status = writer.write(stem + ".ts", source_file(random, 1024 + random.below(7168)));
        } else if (kind < 15) {
          status = writer.write(stem + ".tsx", source_file(random, 1024 + random.below(4096)));
        } else if (kind < 17) {
          status = writer.write(stem + ".js", source_file(random, 1024 + random.below(4096)));
        } else if (kind < 18) {
          status = writer.write(stem + ".json", json_file(random));
        } else {
          status = writer.write(stem + ".md", markdown_file(random, 512 + random.below(2048)));
        }
        if (!status) return status;
      }
    }
  }
  for (uint64_t t = 0; t < 300; ++t) {
    const std::string path = "tests/" + std::string(kWords[t % 8]) + "/" + identifier(random) +
                             std::to_string(t) + ".test.ts";
    if (auto status = writer.write(path, source_file(random, 512 + random.below(3072))); !status) {
      return status;
    }
  }
  for (uint64_t d = 0; d < 100; ++d) {
    const std::string path =
        "docs/" + std::string(kWords[d % 5]) + "/" + identifier(random) + two_digits(d) + ".md";
    if (auto status = writer.write(path, markdown_file(random, 1024 + random.below(4096)));
        !status) {
      return status;
    }
  }
  return {};
}

Status write_ignored(TreeWriter& writer, Random& random) {
  // node_modules/: 30 packages of 34 files each, full of .js, .d.ts and TODO comments, all hidden
  // by .gitignore. A server that honours .gitignore skips about a thousand files here.
  for (uint64_t p = 0; p < 30; ++p) {
    const std::string package =
        "node_modules/" + std::string(kWords[p % kWords.size()]) + "-lib" + two_digits(p);
    Status status = writer.write(package + "/package.json", json_file(random), true);
    if (status) status = writer.write(package + "/index.js", source_file(random, 2048), true);
    if (status) status = writer.write(package + "/index.d.ts", source_file(random, 1024), true);
    for (uint64_t f = 0; status && f < 31; ++f) {
      const std::string ext = f % 3 == 0 ? ".d.ts" : ".js";
      status = writer.write(package + "/lib/" + identifier(random) + two_digits(f) + ext,
                            source_file(random, 512 + random.below(4096)), true);
    }
    if (!status) return status;
  }
  for (uint64_t b = 0; b < 80; ++b) {
    const std::string path = "build/" + identifier(random) + two_digits(b) + ".js";
    if (auto status = writer.write(path, source_file(random, 2048), true); !status) return status;
  }
  for (uint64_t l = 0; l < 10; ++l) {
    if (auto status =
            writer.write("logs/run" + two_digits(l) + ".log", markdown_file(random, 4096), true);
        !status) {
      return status;
    }
  }
  return {};
}

Status write_binaries(TreeWriter& writer, Random& random) {
  constexpr std::array<std::string_view, 4> kExtensions = {".png", ".bin", ".woff2", ".ico"};
  for (uint64_t b = 0; b < 60; ++b) {
    const std::string path = "assets/" + std::string(kWords[b % 6]) + "/" + identifier(random) +
                             two_digits(b) + std::string(kExtensions[b % kExtensions.size()]);
    if (auto status =
            writer.write(path, binary_file(random, 2048 + random.below(62 * 1024)), false, true);
        !status) {
      return status;
    }
  }
  return {};
}

// An empty git repository, written by hand so it is byte-identical everywhere: projects are git
// repositories, and tools such as ripgrep only apply .gitignore inside one.
Status write_git_repository(const fs::path& root) {
  std::error_code ec;
  for (const char* dir :
       {".git/objects/info", ".git/objects/pack", ".git/refs/heads", ".git/refs/tags"}) {
    fs::create_directories(root / dir, ec);
    if (ec) return Error::make("cannot create " + (root / dir).string() + ": " + ec.message());
  }
  const std::pair<const char*, const char*> files[] = {
      {".git/HEAD", "ref: refs/heads/main\n"},
      {".git/config", "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n"},
      {".git/description", "benchmark tree\n"}};
  for (const auto& [name, content] : files) {
    std::ofstream out(root / name, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) return Error::make("cannot write " + (root / name).string());
  }
  return {};
}

}  // namespace

Result<TreeSummary> generate_tree(const fs::path& root) {
  std::error_code ec;
  if (fs::exists(root, ec)) {
    if (!fs::is_directory(root, ec) || !fs::is_empty(root, ec)) {
      return Error::make(root.string() + " exists and is not an empty directory");
    }
  } else {
    fs::create_directories(root, ec);
    if (ec) return Error::make("cannot create " + root.string() + ": " + ec.message());
  }

  Random random(
      0x62656e6368746f70ULL);  // fixed seed: the tree is part of the benchmark's definition
  TreeWriter writer(root);
  Status status = write_git_repository(root);
  if (status) status = writer.write(".gitignore", "node_modules/\nbuild/\n*.log\n");
  if (status) status = writer.write("README.md", markdown_file(random, 3000));
  if (status) status = writer.write("package.json", json_file(random));
  if (status) status = writer.write(kSmallFile, source_file(random, 2048));
  if (status) status = writer.write(kLargeFile, large_text(random));
  if (status) status = write_sources(writer, random);
  if (status) status = write_ignored(writer, random);
  if (status) status = write_binaries(writer, random);
  if (status) status = writer.write(kStampFile, std::string(kTreeVersion) + "\n");
  if (!status) return status.take_error();
  return writer.summary();
}

}  // namespace benchtop::bench
