// The measurements themselves: fresh starts, per-workload call loops (one request at a time and
// several in flight), peak memory, and the ripgrep baseline.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bench/server_profiles.h"

namespace benchtop::bench {

struct RunSettings {
  std::string tree;        // absolute path of the benchmark tree
  std::string stderr_dir;  // servers' stderr goes to files here
  std::string rg;          // ripgrep for the grep baseline; empty: none
  int starts = 20;         // fresh starts for start -> initialize
  int calls = 1000;        // operations per server, workload and mode, at most ...
  double max_seconds = 5;  // ... or until this much time has passed (and min_calls are done)
  int min_calls = 5;
  int rounds = 5;  // each workload's budget is split into rounds, the servers taking turns
  int warmup_calls = 20;
  int depth = 8;  // requests in flight when pipelined
  std::vector<Workload> workloads{kAllWorkloads.begin(), kAllWorkloads.end()};
  std::chrono::milliseconds response_timeout{60000};
};

// Figures for one workload in one mode. An operation is one call, or for a read the server pages,
// the calls that together return the whole file.
struct CallStats {
  int calls = 0;  // operations completed
  double seconds = 0;
  double calls_per_second = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
};

struct WorkloadResult {
  Workload workload;
  std::string tool;             // empty when the server has no tool for it
  std::string semantics;        // what the tool does, or why there is none
  uint64_t response_bytes = 0;  // bytes of the responses to one operation
  uint64_t result_lines = 0;    // lines of text in content[0].text: matches, entries, file lines
  int calls_per_operation = 1;
  std::optional<CallStats> sequential;
  std::optional<CallStats> pipelined;
  std::string error;
};

struct ServerResult {
  std::string name;
  std::string kind;
  std::string command;
  std::string server_info;       // serverInfo name/version from initialize
  std::vector<double> start_ms;  // spawn -> initialize response
  double start_median_ms = 0;
  // spawn -> tools/list response, sent right after initialize: when the tools can be used.
  std::vector<double> ready_ms;
  double ready_median_ms = 0;
  long idle_peak_rss_kib = 0;  // median ru_maxrss of the fresh starts (initialize, tools/list)
  long peak_rss_kib = 0;       // ru_maxrss after all workloads, from wait4
  long peak_rss_proc_kib = 0;  // VmHWM just before shutdown, as a cross-check
  std::string exit_how;
  std::vector<WorkloadResult> workloads;
  std::string error;
};

struct GrepBaseline {
  std::string command;
  int runs = 0;
  double median_ms = 0;
  double p90_ms = 0;
  uint64_t output_lines = 0;
  std::string error;
};

struct MeasuredRun {
  std::vector<ServerResult> servers;
  std::optional<GrepBaseline> ripgrep;  // when settings.rg is set
};

// Measures every server, and rg on the grep workload, taking turns so that a busy machine weighs
// on all of them alike.
MeasuredRun measure_all(const std::vector<ServerProfile>& profiles, const RunSettings& settings);

}  // namespace benchtop::bench
