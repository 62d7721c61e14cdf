#include "bench/measurements.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <system_error>

#include "bench/child_process.h"
#include "bench/mcp_client.h"
#include "bench/stats.h"
#include "bench/tree_layout.h"

namespace benchtop::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A fresh directory for a server's state (benchtop's --data-dir), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mcp-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// {tree}: the benchmark tree; {tmp}: a fresh directory for this start only; {state}: one
// directory per server for the whole run, so every start after the first finds the state the
// previous one left, as when a client restarts a server.
std::vector<std::string> expand(const std::vector<std::string>& command, const std::string& tree,
                                const std::string& tmp, const std::string& state) {
  std::vector<std::string> out = command;
  for (auto& arg : out) {
    replace_all(arg, "{tree}", tree);
    replace_all(arg, "{tmp}", tmp);
    replace_all(arg, "{state}", state);
  }
  return out;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string stderr_path(const RunSettings& settings, const std::string& name) {
  if (settings.stderr_dir.empty()) return {};
  return settings.stderr_dir + "/" + name + ".stderr.log";
}

// Timings gathered over several rounds of one workload in one mode.
struct Samples {
  std::vector<double> latencies_ms;
  int64_t operations = 0;
  double seconds = 0;
};

// Runs operations of `steps.size()` calls each (one call for most workloads; several for a read
// that the server pages). depth == 1 sends one request at a time; otherwise up to `depth` requests
// are in flight, across operations. An operation's latency runs from its first request to its
// last response. Every response is checked for a JSON-RPC error or isError, so a failing tool can
// never pass for a fast one.
Status run_operations(McpClient& client, const std::vector<std::string>& steps, int depth,
                      int max_operations, double max_seconds, int min_operations,
                      Samples& samples) {
  const int64_t per_operation = static_cast<int64_t>(steps.size());
  std::vector<Clock::time_point> started_at;
  std::vector<int64_t> outstanding;  // responses still awaited, per operation
  std::vector<double>& latencies_ms = samples.latencies_ms;
  int64_t first_id = -1;
  int64_t sent = 0;
  int64_t received = 0;
  int64_t done = 0;
  const Clock::time_point start = Clock::now();
  auto may_send = [&] {
    if (sent % per_operation != 0) return true;  // finish the operation under way
    const int64_t operations = sent / per_operation;
    if (operations >= max_operations) return false;
    return operations < min_operations || ms_since(start) < max_seconds * 1000;
  };
  auto send_one = [&]() -> Status {
    const int64_t id = client.take_id();
    if (first_id < 0) first_id = id;
    if (sent % per_operation == 0) {
      started_at.push_back(Clock::now());
      outstanding.push_back(per_operation);
    }
    const std::string& step = steps[static_cast<size_t>(sent % per_operation)];
    ++sent;
    return client.send_prepared(step, id);
  };

  while (sent - received < depth && may_send()) {
    if (auto status = send_one(); !status) return status.take_error();
  }
  while (received < sent) {
    auto response = client.next_response();
    if (!response) return response.take_error();
    const auto now = Clock::now();
    const ScannedMessage& scan = response->scan;
    if (!scan.id || *scan.id < first_id || *scan.id >= first_id + sent) continue;
    if (scan.has_error || scan.tool_error) {
      return Error::make("call failed: " + std::string(response->line.substr(0, 300)));
    }
    ++received;
    const size_t operation = static_cast<size_t>((*scan.id - first_id) / per_operation);
    if (--outstanding[operation] == 0) {
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(now - started_at[operation]).count());
      ++done;
    }
    while (sent - received < depth && may_send()) {
      if (auto status = send_one(); !status) return status.take_error();
    }
  }
  samples.operations += done;
  samples.seconds += ms_since(start) / 1000;
  return {};
}

CallStats summarize(const Samples& samples) {
  CallStats stats;
  stats.calls = static_cast<int>(samples.operations);
  stats.seconds = samples.seconds;
  stats.calls_per_second =
      samples.seconds > 0 ? static_cast<double>(samples.operations) / samples.seconds : 0;
  stats.p50_ms = percentile(samples.latencies_ms, 50);
  stats.p90_ms = percentile(samples.latencies_ms, 90);
  stats.p99_ms = percentile(samples.latencies_ms, 99);
  return stats;
}

uint64_t count_lines(const std::string& text) {
  if (text.empty()) return 0;
  uint64_t lines = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  return text.back() == '\n' ? lines : lines + 1;
}

// One run of `rg REGEX TREE`, its output drained as a client would read a server's answer (rg
// writes to a pipe either way). Returns the wall time from spawn to exit.
Result<double> ripgrep_once(const std::vector<std::string>& argv, uint64_t& lines) {
  const Clock::time_point start = Clock::now();
  auto child = ChildProcess::spawn(argv);
  if (!child) return child.take_error();
  lines = 0;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(child->stdout_fd(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    lines += static_cast<uint64_t>(std::count(buffer, buffer + n, '\n'));
  }
  child->shutdown();
  return ms_since(start);
}

// Runs rg `runs` times (but stops after `max_seconds` once 3 runs are done), adding to `times`.
void measure_ripgrep(const RunSettings& settings, int runs, double max_seconds, GrepBaseline& out,
                     std::vector<double>& times) {
  const std::vector<std::string> argv = {settings.rg, std::string(kGrepRegex), settings.tree};
  out.command = join(argv);
  const Clock::time_point all = Clock::now();
  for (int i = 0; i < runs && out.error.empty(); ++i) {
    if (times.size() >= 3 && ms_since(all) >= max_seconds * 1000) break;
    auto elapsed = ripgrep_once(argv, out.output_lines);
    if (!elapsed) {
      out.error = elapsed.error().message;
    } else {
      times.push_back(*elapsed);
    }
  }
  out.runs = static_cast<int>(times.size());
  out.median_ms = median(times);
  out.p90_ms = percentile(times, 90);
}

// A server started for the workloads, kept for the whole run.
struct Session {
  const ServerProfile* profile = nullptr;
  ServerResult* result = nullptr;
  TempDir data_dir;
  std::string state_dir;
  std::optional<ChildProcess> child;
  std::optional<McpClient> client;
  std::set<std::string> tools;
};

// What one server needs to run one workload: the serialized calls, and its timings so far.
struct WorkloadRun {
  Session* session = nullptr;
  WorkloadResult* result = nullptr;
  std::vector<std::string> steps;
  Samples sequential;
  Samples pipelined;
  bool failed = false;
};

// One operation parsed in full, then the warm-up. The full parse proves the tool works on this
// tree, tells how big the answer is, and for reads checks that every byte of the file came back.
Status prepare_workload(Session& session, Workload workload, const RunSettings& settings,
                        WorkloadResult& result, std::vector<std::string>& steps) {
  const ServerProfile& profile = *session.profile;
  McpClient& client = *session.client;
  const auto call = profile.calls.find(workload);
  if (call == profile.calls.end()) {
    const auto why = profile.missing.find(workload);
    result.semantics = why != profile.missing.end() ? why->second : "no tool for this workload";
    return {};
  }
  result.tool = call->second.tool;
  result.semantics = call->second.semantics;
  result.calls_per_operation = static_cast<int>(call->second.steps.size());
  if (!session.tools.contains(result.tool)) {
    return Error::make("the server does not list the tool " + result.tool);
  }

  uint64_t content_bytes = 0;
  for (const auto& arguments : call->second.steps) {
    steps.push_back(McpClient::prepare_tool_call(result.tool, arguments));
    const uint64_t before = client.bytes_received();
    auto first = client.call("tools/call", {{"name", result.tool}, {"arguments", arguments}});
    if (!first) return first.take_error();
    result.response_bytes += client.bytes_received() - before;
    if (first->value("isError", false)) {
      return Error::make("tool error: " + first->dump().substr(0, 300));
    }
    const auto& content = (*first)["content"];
    if (content.is_array() && !content.empty() && content[0].contains("text")) {
      result.result_lines += count_lines(content[0]["text"].get<std::string>());
    }
    const auto structured = first->value("structuredContent", nlohmann::json::object());
    if (structured.contains("content") && structured["content"].is_string()) {
      content_bytes += structured["content"].get<std::string>().size();
    }
  }
  const uint64_t expected = workload == Workload::kLargeRead ? kLargeFileBytes : 0;
  if (expected != 0 && content_bytes != expected) {
    return Error::make("returned " + std::to_string(content_bytes) + " bytes of the " +
                       std::to_string(expected) + "-byte file");
  }
  // Warm-up: caches, JIT, allocator pools. Bounded in time for slow tools.
  Samples ignored;
  return run_operations(client, steps, 1, settings.warmup_calls, 1.0, 1, ignored);
}

// Measures one workload on every server in turns: the budget is split into rounds, and each
// round gives each server its share before the next round starts. Load from elsewhere on the
// machine then falls on all servers alike instead of on whichever happened to run during it.
// For grep, rg takes its turn in every round too.
void measure_workload(std::vector<std::unique_ptr<Session>>& sessions, Workload workload,
                      const RunSettings& settings, std::optional<GrepBaseline>& ripgrep) {
  std::vector<WorkloadRun> runs;
  for (auto& session : sessions) {
    if (!session->result->error.empty()) continue;
    session->result->workloads.push_back(
        WorkloadResult{workload, {}, {}, 0, 0, 1, std::nullopt, std::nullopt, {}});
    WorkloadResult& result = session->result->workloads.back();
    WorkloadRun run{session.get(), &result, {}, {}, {}, false};
    if (auto status = prepare_workload(*session, workload, settings, result, run.steps); !status) {
      result.error = status.error().message;
      continue;
    }
    if (!run.steps.empty()) runs.push_back(std::move(run));
  }

  const int rounds = std::max(1, settings.rounds);
  const int calls = std::max(1, settings.calls / rounds);
  const double seconds = settings.max_seconds / rounds;
  const int min_calls = std::max(1, settings.min_calls / rounds);
  const bool with_rg = workload == Workload::kGrep && !settings.rg.empty();
  std::vector<double> rg_times;
  if (with_rg) ripgrep.emplace();
  for (const bool pipelined : {false, true}) {
    if (pipelined && settings.depth <= 1) break;
    for (int round = 0; round < rounds; ++round) {
      if (with_rg && !pipelined) {
        measure_ripgrep(settings, std::max(1, settings.starts / rounds), seconds, *ripgrep,
                        rg_times);
      }
      for (auto& run : runs) {
        if (run.failed) continue;
        Samples& samples = pipelined ? run.pipelined : run.sequential;
        const Status status =
            run_operations(*run.session->client, run.steps, pipelined ? settings.depth : 1, calls,
                           seconds, min_calls, samples);
        if (!status) {
          run.result->error = (pipelined ? "pipelined: " : "") + status.error().message;
          run.failed = true;
        }
      }
    }
  }
  for (auto& run : runs) {
    if (run.failed) continue;
    run.result->sequential = summarize(run.sequential);
    if (settings.depth > 1) run.result->pipelined = summarize(run.pipelined);
  }
}

struct StartTimes {
  double initialize_ms;
  double tools_list_ms;
};

// One fresh start: spawn, initialize, tools/list, shut down. Returns the milliseconds to the
// initialize and tools/list responses and records the peak RSS.
Result<StartTimes> start_once(const ServerProfile& profile, const RunSettings& settings,
                              const std::string& state, ServerResult& out,
                              std::vector<double>& rss) {
  TempDir tmp;
  const auto argv = expand(profile.command, settings.tree, tmp.path(), state);
  const Clock::time_point start = Clock::now();
  auto child = ChildProcess::spawn(argv, stderr_path(settings, profile.name));
  if (!child) return child.take_error();
  McpClient client(child->stdin_fd(), child->stdout_fd(), settings.response_timeout);
  auto init = client.initialize();
  if (!init) return Error::make("initialize: " + init.error().message);
  const double initialized = ms_since(start);
  // A server may answer the handshake before its tools are ready; the first tools/list shows
  // when they are.
  auto listed = client.call("tools/list", nlohmann::json::object());
  if (!listed) return Error::make("tools/list: " + listed.error().message);
  const double ready = ms_since(start);
  if (out.server_info.empty() && init->contains("serverInfo")) {
    const auto& info = (*init)["serverInfo"];
    out.server_info = info.value("name", "?") + " " + info.value("version", "?");
  }
  rss.push_back(static_cast<double>(child->shutdown().max_rss_kib));
  return StartTimes{initialized, ready};
}

Status open_session(Session& session, const RunSettings& settings) {
  const ServerProfile& profile = *session.profile;
  auto child = ChildProcess::spawn(
      expand(profile.command, settings.tree, session.data_dir.path(), session.state_dir),
      stderr_path(settings, profile.name));
  if (!child) return child.take_error();
  session.child.emplace(std::move(child).value());
  session.client.emplace(session.child->stdin_fd(), session.child->stdout_fd(),
                         settings.response_timeout);
  auto init = session.client->initialize();
  if (!init) return Error::make("initialize: " + init.error().message);
  auto listed = session.client->call("tools/list", nlohmann::json::object());
  if (!listed) return Error::make("tools/list: " + listed.error().message);
  for (const auto& tool : (*listed)["tools"]) session.tools.insert(tool.value("name", ""));
  return {};
}

}  // namespace

MeasuredRun measure_all(const std::vector<ServerProfile>& profiles, const RunSettings& settings) {
  MeasuredRun run;
  std::vector<ServerResult>& results = run.servers;
  results.resize(profiles.size());
  for (size_t i = 0; i < profiles.size(); ++i) {
    results[i].name = profiles[i].name;
    results[i].kind = profiles[i].kind;
    results[i].command = join(profiles[i].command);
  }

  std::vector<std::unique_ptr<TempDir>> state_dirs;
  for (size_t i = 0; i < profiles.size(); ++i) state_dirs.push_back(std::make_unique<TempDir>());

  // Fresh starts, taking turns.
  std::vector<std::vector<double>> rss(profiles.size());
  for (int round = 0; round < settings.starts; ++round) {
    for (size_t i = 0; i < profiles.size(); ++i) {
      if (!results[i].error.empty()) continue;
      auto times = start_once(profiles[i], settings, state_dirs[i]->path(), results[i], rss[i]);
      if (!times) {
        results[i].error = times.error().message;
      } else {
        results[i].start_ms.push_back(times->initialize_ms);
        results[i].ready_ms.push_back(times->tools_list_ms);
      }
    }
  }
  for (size_t i = 0; i < profiles.size(); ++i) {
    results[i].start_median_ms = median(results[i].start_ms);
    results[i].ready_median_ms = median(results[i].ready_ms);
    results[i].idle_peak_rss_kib = static_cast<long>(median(rss[i]));
  }

  // One long-lived server each for the workloads; all stay up until the end, idle while the
  // others are measured.
  std::vector<std::unique_ptr<Session>> sessions;
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (!results[i].error.empty()) continue;
    auto session = std::make_unique<Session>();
    session->profile = &profiles[i];
    session->result = &results[i];
    session->state_dir = state_dirs[i]->path();
    if (auto status = open_session(*session, settings); !status) {
      results[i].error = status.error().message;
      continue;
    }
    sessions.push_back(std::move(session));
  }
  for (Workload workload : settings.workloads) {
    std::cerr << "  " << workload_name(workload) << "\n";
    measure_workload(sessions, workload, settings, run.ripgrep);
  }
  for (auto& session : sessions) {
    ServerResult& out = *session->result;
    out.peak_rss_proc_kib = session->child->peak_rss_kib().value_or(0);
    const ChildExit exit = session->child->shutdown();
    out.peak_rss_kib = exit.max_rss_kib;
    out.exit_how = exit.how;
  }
  const bool grep_measured = std::find(settings.workloads.begin(), settings.workloads.end(),
                                       Workload::kGrep) != settings.workloads.end();
  if (!settings.rg.empty() && (!grep_measured || sessions.empty())) {
    std::vector<double> times;
    run.ripgrep.emplace();
    measure_ripgrep(settings, settings.starts, settings.max_seconds, *run.ripgrep, times);
  }
  return run;
}

}  // namespace benchtop::bench
