#include "bench/measurements.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
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

std::vector<std::string> expand(const std::vector<std::string>& command, const std::string& tree,
                                const std::string& tmp) {
  std::vector<std::string> out = command;
  for (auto& arg : out) {
    replace_all(arg, "{tree}", tree);
    replace_all(arg, "{tmp}", tmp);
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

// Runs operations of `steps.size()` calls each (one call for most workloads; several for a read
// that the server pages). depth == 1 sends one request at a time; otherwise up to `depth` requests
// are in flight, across operations. An operation's latency runs from its first request to its
// last response. Every response is checked for a JSON-RPC error or isError, so a failing tool can
// never pass for a fast one.
Result<CallStats> run_operations(McpClient& client, const std::vector<std::string>& steps,
                                 int depth, int max_operations, double max_seconds,
                                 int min_operations) {
  const int64_t per_operation = static_cast<int64_t>(steps.size());
  std::vector<Clock::time_point> started_at;
  std::vector<int64_t> outstanding;  // responses still awaited, per operation
  std::vector<double> latencies_ms;
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
  CallStats stats;
  stats.calls = static_cast<int>(done);
  stats.seconds = ms_since(start) / 1000;
  stats.calls_per_second = stats.seconds > 0 ? static_cast<double>(done) / stats.seconds : 0;
  stats.p50_ms = percentile(latencies_ms, 50);
  stats.p90_ms = percentile(latencies_ms, 90);
  stats.p99_ms = percentile(latencies_ms, 99);
  return stats;
}

uint64_t count_lines(const std::string& text) {
  if (text.empty()) return 0;
  uint64_t lines = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  return text.back() == '\n' ? lines : lines + 1;
}

WorkloadResult measure_workload(McpClient& client, const ServerProfile& profile, Workload workload,
                                const std::set<std::string>& tools, const RunSettings& settings) {
  WorkloadResult result{workload, {}, {}, 0, 0, 1, std::nullopt, std::nullopt, {}};
  const auto call = profile.calls.find(workload);
  if (call == profile.calls.end()) {
    const auto why = profile.missing.find(workload);
    result.semantics = why != profile.missing.end() ? why->second : "no tool for this workload";
    return result;
  }
  result.tool = call->second.tool;
  result.semantics = call->second.semantics;
  result.calls_per_operation = static_cast<int>(call->second.steps.size());
  if (!tools.contains(result.tool)) {
    result.error = "the server does not list the tool " + result.tool;
    return result;
  }

  // One operation parsed in full: proves the tool works on this tree, tells how big the answer
  // is, and for reads checks that every byte of the file came back.
  std::vector<std::string> steps;
  uint64_t content_bytes = 0;
  for (const auto& arguments : call->second.steps) {
    steps.push_back(McpClient::prepare_tool_call(result.tool, arguments));
    const uint64_t before = client.bytes_received();
    auto first = client.call("tools/call", {{"name", result.tool}, {"arguments", arguments}});
    if (!first) {
      result.error = first.error().message;
      return result;
    }
    result.response_bytes += client.bytes_received() - before;
    if (first->value("isError", false)) {
      result.error = "tool error: " + first->dump().substr(0, 300);
      return result;
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
    result.error = "returned " + std::to_string(content_bytes) + " bytes of the " +
                   std::to_string(expected) + "-byte file";
    return result;
  }

  // Warm-up: caches, JIT, allocator pools. Bounded in time for slow tools.
  if (auto warm = run_operations(client, steps, 1, settings.warmup_calls, 1.0, 1); !warm) {
    result.error = warm.error().message;
    return result;
  }
  auto sequential =
      run_operations(client, steps, 1, settings.calls, settings.max_seconds, settings.min_calls);
  if (!sequential) {
    result.error = sequential.error().message;
    return result;
  }
  result.sequential = *sequential;
  if (settings.depth > 1) {
    auto pipelined = run_operations(client, steps, settings.depth, settings.calls,
                                    settings.max_seconds, settings.min_calls);
    if (!pipelined) {
      result.error = "pipelined: " + pipelined.error().message;
      return result;
    }
    result.pipelined = *pipelined;
  }
  return result;
}

Status measure_starts(const ServerProfile& profile, const RunSettings& settings,
                      ServerResult& out) {
  std::vector<double> rss;
  for (int i = 0; i < settings.starts; ++i) {
    TempDir tmp;
    const auto argv = expand(profile.command, settings.tree, tmp.path());
    const Clock::time_point start = Clock::now();
    auto child = ChildProcess::spawn(argv, stderr_path(settings, profile.name));
    if (!child) return child.take_error();
    McpClient client(child->stdin_fd(), child->stdout_fd(), settings.response_timeout);
    auto init = client.initialize();
    if (!init) return Error::make("initialize: " + init.error().message);
    out.start_ms.push_back(ms_since(start));
    if (out.server_info.empty() && init->contains("serverInfo")) {
      const auto& info = (*init)["serverInfo"];
      out.server_info = info.value("name", "?") + " " + info.value("version", "?");
    }
    rss.push_back(static_cast<double>(child->shutdown().max_rss_kib));
  }
  out.start_median_ms = median(out.start_ms);
  out.idle_peak_rss_kib = static_cast<long>(median(rss));
  return {};
}

}  // namespace

ServerResult measure_server(const ServerProfile& profile, const RunSettings& settings) {
  ServerResult out;
  out.name = profile.name;
  out.kind = profile.kind;
  out.command = join(profile.command);

  if (auto status = measure_starts(profile, settings, out); !status) {
    out.error = status.error().message;
    return out;
  }

  TempDir tmp;
  auto child = ChildProcess::spawn(expand(profile.command, settings.tree, tmp.path()),
                                   stderr_path(settings, profile.name));
  if (!child) {
    out.error = child.error().message;
    return out;
  }
  McpClient client(child->stdin_fd(), child->stdout_fd(), settings.response_timeout);
  auto init = client.initialize();
  if (!init) {
    out.error = "initialize: " + init.error().message;
    return out;
  }
  std::set<std::string> tools;
  auto listed = client.call("tools/list", nlohmann::json::object());
  if (!listed) {
    out.error = "tools/list: " + listed.error().message;
    return out;
  }
  for (const auto& tool : (*listed)["tools"]) tools.insert(tool.value("name", ""));

  for (Workload workload : settings.workloads) {
    out.workloads.push_back(measure_workload(client, profile, workload, tools, settings));
  }
  out.peak_rss_proc_kib = child->peak_rss_kib().value_or(0);
  const ChildExit exit = child->shutdown();
  out.peak_rss_kib = exit.max_rss_kib;
  out.exit_how = exit.how;
  return out;
}

GrepBaseline measure_ripgrep(const std::string& rg, const RunSettings& settings) {
  GrepBaseline out;
  const std::vector<std::string> argv = {rg, std::string(kGrepRegex), settings.tree};
  out.command = join(argv);
  std::vector<double> times;
  const Clock::time_point all = Clock::now();
  while (static_cast<int>(times.size()) < settings.starts &&
         (times.size() < 3 || ms_since(all) < settings.max_seconds * 1000)) {
    const Clock::time_point start = Clock::now();
    auto child = ChildProcess::spawn(argv);
    if (!child) {
      out.error = child.error().message;
      return out;
    }
    // Drain stdout as a client would read a server's answer: rg writes to a pipe either way.
    uint64_t lines = 0;
    char buffer[65536];
    for (;;) {
      const ssize_t n = ::read(child->stdout_fd(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      lines += static_cast<uint64_t>(std::count(buffer, buffer + n, '\n'));
    }
    child->shutdown();
    times.push_back(ms_since(start));
    out.output_lines = lines;
  }
  out.runs = static_cast<int>(times.size());
  out.median_ms = median(times);
  out.p90_ms = percentile(times, 90);
  return out;
}

}  // namespace benchtop::bench
