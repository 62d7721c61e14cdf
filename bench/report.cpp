#include "bench/report.h"

#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <string>

#include "bench/mcp_client.h"

namespace benchtop::bench {
namespace {

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

std::string pad(std::string text, size_t width, bool right = false) {
  if (text.size() >= width) return text + " ";
  const std::string fill(width - text.size(), ' ');
  return right ? fill + text + " " : text + fill + " ";
}

std::string milliseconds(double ms) {
  if (ms <= 0) return "-";
  if (ms < 1) return format("%.3f", ms);
  if (ms < 100) return format("%.2f", ms);
  return format("%.0f", ms);
}

std::string rate(double per_second) {
  if (per_second <= 0) return "-";
  return per_second < 100 ? format("%.1f", per_second) : format("%.0f", per_second);
}

std::string bytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  if (n < 1024 * 1024) return format("%.1f KiB", static_cast<double>(n) / 1024);
  return format("%.2f MiB", static_cast<double>(n) / (1024.0 * 1024.0));
}

std::string mib(long kib) {
  return kib > 0 ? format("%.1f MiB", kib / 1024.0) : "-";
}

const ServerResult* find_kind(const RunReport& report, std::string_view kind) {
  for (const auto& server : report.servers) {
    if (server.kind == kind && server.error.empty()) return &server;
  }
  return nullptr;
}

const WorkloadResult* find_workload(const ServerResult* server, Workload workload) {
  if (server == nullptr) return nullptr;
  for (const auto& result : server->workloads) {
    if (result.workload == workload && result.error.empty() && result.sequential) return &result;
  }
  return nullptr;
}

void print_servers(std::ostream& out, const RunReport& report) {
  out << "Servers\n";
  for (const auto& server : report.servers) {
    out << "  " << pad(server.name, 21)
        << pad(server.server_info.empty() ? "?" : server.server_info, 34) << server.command << "\n";
    if (!server.error.empty()) out << "    FAILED: " << server.error << "\n";
  }
  out << "\n";
}

void print_start_and_memory(std::ostream& out, const RunReport& report) {
  out << "Start and memory\n  " << pad("", 50);
  for (const auto& server : report.servers) out << pad(server.name, 21, true);
  out << "\n  "
      << pad("start -> initialize response, median of " + std::to_string(report.settings.starts) +
                 " (ms)",
             50);
  for (const auto& server : report.servers)
    out << pad(milliseconds(server.start_median_ms), 18, true);
  out << "\n  " << pad("start -> tools/list response (sent after it)", 50);
  for (const auto& server : report.servers)
    out << pad(milliseconds(server.ready_median_ms), 18, true);
  out << "\n  " << pad("peak RSS, start + initialize + tools/list", 50);
  for (const auto& server : report.servers) out << pad(mib(server.idle_peak_rss_kib), 18, true);
  out << "\n  " << pad("peak RSS after every workload (wait4)", 50);
  for (const auto& server : report.servers) out << pad(mib(server.peak_rss_kib), 18, true);
  out << "\n  " << pad("  (VmHWM just before shutdown)", 50);
  for (const auto& server : report.servers) out << pad(mib(server.peak_rss_proc_kib), 18, true);
  out << "\n  " << pad("how it ended after stdin closed", 50);
  for (const auto& server : report.servers) out << pad(server.exit_how, 18, true);
  out << "\n\n";
}

void print_workloads(std::ostream& out, const RunReport& report) {
  out << "Workloads: sequential = one request at a time; pipelined = " << report.settings.depth
      << " requests in flight. Latency in ms, per operation (one call, or \"x N\" calls for a\n"
         "read the server pages); calls/s counts operations.\n";
  out << "  " << pad("workload", 11) << pad("server", 21) << pad("tool", 15)
      << pad("response", 11, true) << pad("lines", 7, true) << pad("calls", 6, true)
      << pad("calls/s", 9, true) << pad("p50", 8, true) << pad("p90", 8, true)
      << pad("p99", 8, true) << pad("piped/s", 9, true) << pad("piped p50", 10, true) << "\n";
  for (Workload workload : report.settings.workloads) {
    bool first = true;
    for (const auto& server : report.servers) {
      if (!server.error.empty()) continue;
      for (const auto& result : server.workloads) {
        if (result.workload != workload) continue;
        out << "  " << pad(first ? std::string(workload_name(workload)) : "", 11)
            << pad(server.name, 21);
        first = false;
        if (result.tool.empty()) {
          out << "(none: " << result.semantics << ")\n";
          continue;
        }
        out << pad(result.calls_per_operation > 1
                       ? result.tool + " x" + std::to_string(result.calls_per_operation)
                       : result.tool,
                   15);
        if (!result.error.empty()) {
          out << "FAILED: " << result.error << "\n";
          continue;
        }
        out << pad(bytes(result.response_bytes), 11, true)
            << pad(std::to_string(result.result_lines), 7, true);
        const auto& seq = *result.sequential;
        out << pad(std::to_string(seq.calls), 6, true) << pad(rate(seq.calls_per_second), 9, true)
            << pad(milliseconds(seq.p50_ms), 8, true) << pad(milliseconds(seq.p90_ms), 8, true)
            << pad(milliseconds(seq.p99_ms), 8, true);
        if (result.pipelined) {
          out << pad(rate(result.pipelined->calls_per_second), 9, true)
              << pad(milliseconds(result.pipelined->p50_ms), 10, true);
        }
        out << "\n";
      }
    }
    if (workload == Workload::kGrep && report.ripgrep) {
      const auto& rg = *report.ripgrep;
      out << "  " << pad(first ? "grep" : "", 11) << pad("rg (baseline)", 21);
      if (!rg.error.empty()) {
        out << "FAILED: " << rg.error << "\n";
      } else {
        out << pad("rg process", 15) << pad("-", 11, true)
            << pad(std::to_string(rg.output_lines), 7, true)
            << pad(std::to_string(rg.runs), 6, true)
            << pad(rate(rg.median_ms > 0 ? 1000 / rg.median_ms : 0), 9, true)
            << pad(milliseconds(rg.median_ms), 8, true) << pad(milliseconds(rg.p90_ms), 8, true)
            << "  (wall time of a whole rg run: start, search, exit)\n";
      }
    }
  }
  out << "\n";
}

void print_semantics(std::ostream& out, const RunReport& report) {
  out << "What each call does\n";
  for (Workload workload : report.settings.workloads) {
    out << "  " << workload_name(workload) << ": " << workload_summary(workload) << "\n";
    for (const auto& server : report.servers) {
      for (const auto& result : server.workloads) {
        if (result.workload == workload) {
          out << "    " << pad(server.name + ":", 19) << result.semantics << "\n";
        }
      }
    }
    if (workload == Workload::kGrep && report.ripgrep) {
      out << "    " << pad("rg:", 19) << report.ripgrep->command
          << " - ripgrep's defaults: honours .gitignore (the tree is a git repository), skips "
             "hidden and binary files, one thread per core; writing to a pipe it prints path:text "
             "(no line numbers).\n";
    }
  }
  out << "\n";
}

void print_target(std::ostream& out, const std::string& what, const std::string& figure,
                  std::optional<bool> met) {
  out << "  " << pad(what, 52) << pad(figure, 34)
      << (!met   ? "n/a"
          : *met ? "met"
                 : "missed")
      << "\n";
}

void print_targets(std::ostream& out, const RunReport& report) {
  const ServerResult* ours = find_kind(report, "benchtop");
  const ServerResult* peer = find_kind(report, "server-filesystem");
  if (ours == nullptr) return;
  out << "Targets (informational: benchmarks never fail on time)\n";

  const auto* our_read = find_workload(ours, Workload::kSmallRead);
  const auto* peer_read = find_workload(peer, Workload::kSmallRead);
  if (our_read && peer_read) {
    const double ratio =
        our_read->sequential->calls_per_second / peer_read->sequential->calls_per_second;
    std::string figure = format("%.1fx sequential", ratio);
    if (our_read->pipelined && peer_read->pipelined) {
      figure += format(", %.1fx pipelined", our_read->pipelined->calls_per_second /
                                                peer_read->pipelined->calls_per_second);
    }
    print_target(out, "small-read throughput >= 20x server-filesystem", figure, ratio >= 20);
    // What a server that does nothing but the read's system calls gets through the same pipe.
    const auto* floor_read = find_workload(find_kind(report, "floor"), Workload::kSmallRead);
    if (floor_read) {
      out << "    (bench_floor_server, no JSON and one thread: "
          << format("%.1fx", floor_read->sequential->calls_per_second /
                                 peer_read->sequential->calls_per_second)
          << " sequential)\n";
    }
  }
  print_target(out, "start -> initialize <= 10 ms", milliseconds(ours->start_median_ms) + " ms",
               ours->start_median_ms <= 10);
  const double rss_mb = static_cast<double>(ours->peak_rss_kib) * 1024 / 1e6;
  print_target(out, "peak RSS <= 25 MB", format("%.1f MB", rss_mb), rss_mb <= 25);

  const auto* our_glob = find_workload(ours, Workload::kGlob);
  const auto* peer_glob = find_workload(peer, Workload::kGlob);
  if (our_glob && peer_glob) {
    const double fraction = our_glob->sequential->p50_ms / peer_glob->sequential->p50_ms;
    print_target(out, "glob time <= 1/10 of server-filesystem's (p50)",
                 format("1/%.1f", 1 / fraction), fraction <= 0.1);
  }
  const ServerResult* git_peer = find_kind(report, "git-mcp-server");
  for (Workload workload : kGitWorkloads) {
    const auto* our_git = find_workload(ours, workload);
    const auto* peer_git = find_workload(git_peer, workload);
    if (our_git && peer_git) {
      const double ratio =
          our_git->sequential->calls_per_second / peer_git->sequential->calls_per_second;
      print_target(out, std::string(workload_name(workload)) + " throughput >= 20x git-mcp-server",
                   format("%.1fx sequential", ratio), ratio >= 20);
    }
  }
  const auto* our_grep = find_workload(ours, Workload::kGrep);
  if (our_grep && report.ripgrep && report.ripgrep->error.empty()) {
    const double ratio = our_grep->sequential->p50_ms / report.ripgrep->median_ms;
    print_target(out, "grep within 1.5x of rg (fs_grep p50 / rg median)", format("%.2fx", ratio),
                 ratio <= 1.5);
  }
  out << "\n";
}

nlohmann::json stats_json(const std::optional<CallStats>& stats) {
  if (!stats) return nullptr;
  return {{"calls", stats->calls},
          {"seconds", stats->seconds},
          {"calls_per_second", stats->calls_per_second},
          {"p50_ms", stats->p50_ms},
          {"p90_ms", stats->p90_ms},
          {"p99_ms", stats->p99_ms}};
}

}  // namespace

void print_report(std::ostream& out, const RunReport& report) {
  out << "mcp_stdio_bench: tree " << report.settings.tree << " (" << report.tree_description
      << "), " << report.cores << " cores, protocol " << kProtocolVersion << "\n";
  out << "load average before: " << report.load_before << "  after: " << report.load_after;
  if (report.cores > 0 && std::atof(report.load_before.c_str()) > report.cores) {
    out << "  (busy machine: figures are pessimistic)";
  }
  out << "\n\n";
  print_servers(out, report);
  print_start_and_memory(out, report);
  print_workloads(out, report);
  print_targets(out, report);
  print_semantics(out, report);
}

nlohmann::json report_json(const RunReport& report) {
  nlohmann::json servers = nlohmann::json::array();
  for (const auto& server : report.servers) {
    nlohmann::json workloads = nlohmann::json::array();
    for (const auto& result : server.workloads) {
      workloads.push_back({{"workload", workload_name(result.workload)},
                           {"tool", result.tool},
                           {"calls_per_operation", result.calls_per_operation},
                           {"semantics", result.semantics},
                           {"response_bytes", result.response_bytes},
                           {"result_lines", result.result_lines},
                           {"sequential", stats_json(result.sequential)},
                           {"pipelined", stats_json(result.pipelined)},
                           {"error", result.error}});
    }
    servers.push_back({{"name", server.name},
                       {"kind", server.kind},
                       {"command", server.command},
                       {"server_info", server.server_info},
                       {"start_ms", server.start_ms},
                       {"start_median_ms", server.start_median_ms},
                       {"ready_ms", server.ready_ms},
                       {"ready_median_ms", server.ready_median_ms},
                       {"idle_peak_rss_kib", server.idle_peak_rss_kib},
                       {"peak_rss_kib", server.peak_rss_kib},
                       {"peak_rss_proc_kib", server.peak_rss_proc_kib},
                       {"exit", server.exit_how},
                       {"workloads", workloads},
                       {"error", server.error}});
  }
  nlohmann::json out = {{"tree", report.settings.tree},
                        {"tree_description", report.tree_description},
                        {"cores", report.cores},
                        {"load_before", report.load_before},
                        {"load_after", report.load_after},
                        {"protocol_version", kProtocolVersion},
                        {"settings",
                         {{"starts", report.settings.starts},
                          {"calls", report.settings.calls},
                          {"max_seconds", report.settings.max_seconds},
                          {"depth", report.settings.depth}}},
                        {"servers", servers}};
  if (report.ripgrep) {
    out["ripgrep"] = {
        {"command", report.ripgrep->command},           {"runs", report.ripgrep->runs},
        {"median_ms", report.ripgrep->median_ms},       {"p90_ms", report.ripgrep->p90_ms},
        {"output_lines", report.ripgrep->output_lines}, {"error", report.ripgrep->error}};
  }
  return out;
}

}  // namespace benchtop::bench
