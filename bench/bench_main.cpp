// mcp_stdio_bench: starts MCP servers over stdio and measures start-up, per-tool throughput and
// latency, and peak memory on the benchmark tree; optionally times ripgrep on the same tree.
// Prints a table, and JSON with --json. See docs/benchmarks.md.
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bench/report.h"
#include "bench/server_profiles.h"
#include "bench/tree_layout.h"

namespace benchtop::bench {
namespace {

constexpr std::string_view kUsage =
    R"(usage: mcp_stdio_bench --tree DIR --server KIND[/NAME]=COMMAND... [options]

  --tree DIR              the benchmark tree (made by bench_make_tree)
  --server KIND=COMMAND   a server to measure (repeatable). KIND is benchtop, server-filesystem,
                          git-mcp-server (@cyanheads/git-mcp-server) or floor (bench_floor_server,
                          reads only) and selects which tools each workload calls; /NAME labels it in the
                          report. COMMAND is split at spaces; {tree} becomes the tree path, {tmp}
                          a fresh empty directory for each start, and {state} one directory per
                          server kept across its starts (as when a client restarts it); both are
                          removed afterwards.
  --rg PATH               also time `PATH REGEX TREE`, the grep baseline
  --starts N              fresh starts for start -> initialize (default 20)
  --calls N               calls per workload and mode, at most (default 1000)
  --max-seconds S         or stop a workload's loop after S seconds (default 5)
  --depth N               requests in flight for the pipelined runs; 1 skips them (default 8)
  --warmup N              warm-up calls before each workload (default 20)
  --rounds N              split each workload's budget into N rounds in which the servers take
                          turns, so that load from elsewhere hits all of them alike (default 5)
  --workload ID           only this workload (repeatable): read-small, read-large, glob, grep,
                          list (the default set), git-status, git-log, git-diff (on a
                          repository given as --tree; see bench/run-git.sh)
  --json FILE             also write every figure as JSON
  --stderr-dir DIR        keep each server's stderr in DIR/NAME.stderr.log

example:
  mcp_stdio_bench --tree /tmp/tree --rg rg \
    --server 'benchtop=build/benchtop stdio --root {tree} --data-dir {tmp}' \
    --server 'server-filesystem=node bench/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js {tree}'
)";

struct Options {
  RunSettings settings;
  std::vector<ServerProfile> servers;
  std::string json_path;
};

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

template <typename T>
Status parse_number(std::string_view flag, std::string_view text, T& out, T minimum) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < minimum) {
    return Error::make(std::string(flag) + " needs a number >= " + std::to_string(minimum));
  }
  out = value;
  return {};
}

Result<Options> parse_options(int argc, char** argv) {
  Options options;
  std::vector<std::string> server_specs;
  std::vector<Workload> chosen;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") return Error::make("");
    if (i + 1 >= argc) return Error::make(std::string(flag) + " needs a value (try --help)");
    const std::string_view value = argv[++i];
    Status status;
    if (flag == "--tree") {
      options.settings.tree = std::string(value);
    } else if (flag == "--server") {
      server_specs.emplace_back(value);
    } else if (flag == "--rg") {
      options.settings.rg = std::string(value);
    } else if (flag == "--starts") {
      status = parse_number(flag, value, options.settings.starts, 1);
    } else if (flag == "--calls") {
      status = parse_number(flag, value, options.settings.calls, 1);
    } else if (flag == "--max-seconds") {
      status = parse_number(flag, value, options.settings.max_seconds, 0.0);
    } else if (flag == "--depth") {
      status = parse_number(flag, value, options.settings.depth, 1);
    } else if (flag == "--rounds") {
      status = parse_number(flag, value, options.settings.rounds, 1);
    } else if (flag == "--warmup") {
      status = parse_number(flag, value, options.settings.warmup_calls, 0);
    } else if (flag == "--workload") {
      bool known = false;
      for (Workload workload : kEveryWorkload) {
        if (workload_id(workload) == value) {
          chosen.push_back(workload);
          known = true;
        }
      }
      if (!known) return Error::make("unknown workload " + std::string(value) + " (try --help)");
    } else if (flag == "--json") {
      options.json_path = std::string(value);
    } else if (flag == "--stderr-dir") {
      options.settings.stderr_dir = std::string(value);
    } else {
      return Error::make("unknown option " + std::string(flag) + " (try --help)");
    }
    if (!status) return status.take_error();
  }
  if (!chosen.empty()) options.settings.workloads = chosen;
  if (options.settings.tree.empty()) return Error::make("--tree is required (try --help)");
  std::error_code ec;
  const auto tree = std::filesystem::canonical(options.settings.tree, ec);
  // The git workloads run on any repository; the file workloads need the generated tree.
  bool file_workloads = false;
  for (Workload workload : options.settings.workloads) {
    for (Workload file_workload : kAllWorkloads) file_workloads |= workload == file_workload;
  }
  if (ec || (file_workloads && !std::filesystem::exists(tree / kStampFile))) {
    return Error::make(options.settings.tree +
                       " is not a benchmark tree (make one with bench_make_tree)");
  }
  options.settings.tree = tree.string();
  if (server_specs.empty() && options.settings.rg.empty())
    return Error::make("nothing to measure: give --server or --rg");

  for (const auto& spec : server_specs) {
    const size_t equals = spec.find('=');
    if (equals == std::string::npos) return Error::make("--server wants KIND=COMMAND, got " + spec);
    std::string kind = spec.substr(0, equals);
    std::string name = kind;
    if (const size_t slash = kind.find('/'); slash != std::string::npos) {
      name = kind.substr(slash + 1);
      kind.resize(slash);
    }
    auto profile = make_profile(name, kind, split_words(std::string_view(spec).substr(equals + 1)),
                                options.settings.tree);
    if (!profile) return profile.take_error();
    options.servers.push_back(std::move(profile).value());
  }
  return options;
}

std::string describe_tree(const std::string& root) {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory() && it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) {
      ++files;
      bytes += it->file_size();
    }
  }
  char text[96];
  std::snprintf(text, sizeof text, "%llu files, %.1f MiB", static_cast<unsigned long long>(files),
                static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

// The 1, 5 and 15 minute load averages.
std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

int run(int argc, char** argv) {
  auto options = parse_options(argc, argv);
  if (!options) {
    if (!options.error().message.empty()) {
      std::cerr << "mcp_stdio_bench: " << options.error().message << "\n";
      return 2;
    }
    std::cout << kUsage;
    return 0;
  }
  // A server that dies mid-run must not take the harness with it.
  signal(SIGPIPE, SIG_IGN);
  if (!options->settings.stderr_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options->settings.stderr_dir, ec);
  }

  RunReport report;
  report.settings = options->settings;
  report.tree_description = describe_tree(options->settings.tree);
  report.cores = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  report.load_before = load_average();
  std::cerr << "measuring ...\n";
  MeasuredRun measured = measure_all(options->servers, options->settings);
  report.servers = std::move(measured.servers);
  report.ripgrep = std::move(measured.ripgrep);

  report.load_after = load_average();
  print_report(std::cout, report);
  if (!options->json_path.empty()) {
    std::ofstream json(options->json_path);
    json << report_json(report).dump(2) << "\n";
    if (!json) {
      std::cerr << "mcp_stdio_bench: cannot write " << options->json_path << "\n";
      return 1;
    }
  }
  // Figures never fail the run; only a server that could not be measured at all does.
  for (const auto& server : report.servers) {
    if (!server.error.empty()) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace benchtop::bench

int main(int argc, char** argv) {
  return benchtop::bench::run(argc, argv);
}
