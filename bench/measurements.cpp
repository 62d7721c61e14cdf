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

// One request at a time when depth == 1, else up to `depth` requests in flight. Every response
// is checked for a JSON-RPC error or isError, so a failing tool can never pass for a fast one.
Result<CallStats> run_calls(McpClient& client, const std::string& prepared, int depth,
                            int max_calls, double max_seconds, int min_calls) {
  std::vector<Clock::time_point> sent_at;
  std::vector<double> latencies_ms;
  sent_at.reserve(static_cast<size_t>(max_calls));
  latencies_ms.reserve(static_cast<size_t>(max_calls));
  int64_t first_id = -1;
  int sent = 0;
  int done = 0;
  const Clock::time_point start = Clock::now();
  auto may_send = [&] {
    if (sent >= max_calls) return false;
    return sent < min_calls || ms_since(start) < max_seconds * 1000;
  };
  auto send_one = [&]() -> Status {
    const int64_t id = client.take_id();
    if (first_id < 0) first_id = id;
    sent_at.push_back(Clock::now());
    ++sent;
    return client.send_prepared(prepared, id);
  };

  while (sent - done < depth && may_send()) {
    if (auto status = send_one(); !status) return status.take_error();
  }
  while (done < sent) {
    auto response = client.next_response();
    if (!response) return response.take_error();
    const auto now = Clock::now();
    const ScannedMessage& scan = response->scan;
    if (!scan.id || *scan.id < first_id || *scan.id >= first_id + sent) continue;
    if (scan.has_error || scan.tool_error) {
      return Error::make("call failed: " + std::string(response->line.substr(0, 300)));
    }
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(now - sent_at[*scan.id - first_id]).count());
    ++done;
    if (may_send()) {
      if (auto status = send_one(); !status) return status.take_error();
    }
  }
  CallStats stats;
  stats.calls = done;
  stats.seconds = ms_since(start) / 1000;
  stats.calls_per_second = stats.seconds > 0 ? done / stats.seconds : 0;
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
  WorkloadResult result{workload, {}, {}, 0, 0, std::nullopt, std::nullopt, {}};
  const auto call = profile.calls.find(workload);
  if (call == profile.calls.end()) {
    const auto why = profile.missing.find(workload);
    result.semantics = why != profile.missing.end() ? why->second : "no tool for this workload";
    return result;
  }
  result.tool = call->second.tool;
  result.semantics = call->second.semantics;
  if (!tools.contains(result.tool)) {
    result.error = "the server does not list the tool " + result.tool;
    return result;
  }

  // One call parsed in full: proves the tool works on this tree and tells how big the answer is.
  const uint64_t before = client.bytes_received();
  auto first =
      client.call("tools/call", {{"name", result.tool}, {"arguments", call->second.arguments}});
  if (!first) {
    result.error = first.error().message;
    return result;
  }
  result.response_bytes = client.bytes_received() - before;
  if (first->value("isError", false)) {
    result.error = "tool error: " + first->dump().substr(0, 300);
    return result;
  }
  const auto& content = (*first)["content"];
  if (content.is_array() && !content.empty() && content[0].contains("text")) {
    result.result_lines = count_lines(content[0]["text"].get<std::string>());
  }

  const std::string prepared = McpClient::prepare_tool_call(result.tool, call->second.arguments);
  // Warm-up: caches, JIT, allocator pools. Bounded in time for slow tools.
  if (auto warm = run_calls(client, prepared, 1, settings.warmup_calls, 1.0, 1); !warm) {
    result.error = warm.error().message;
    return result;
  }
  auto sequential =
      run_calls(client, prepared, 1, settings.calls, settings.max_seconds, settings.min_calls);
  if (!sequential) {
    result.error = sequential.error().message;
    return result;
  }
  result.sequential = *sequential;
  if (settings.depth > 1) {
    auto pipelined = run_calls(client, prepared, settings.depth, settings.calls,
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

  for (Workload workload : kAllWorkloads) {
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
