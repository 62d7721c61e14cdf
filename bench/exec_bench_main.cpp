// exec_bench: what the sandbox costs per command. Starts `benchtop stdio` on a scratch project and
// times shell_exec of `true` through the whole MCP path (JSON-RPC, the registry, the container
// manager, the project's long-lived sandbox, a cgroup per command) against a bare fork/exec of
// /bin/true from this process and a fresh bubblewrap sandbox per command, in alternating rounds
// of the same run so that load from elsewhere weighs on all alike. With --sandboxes N it also
// makes N projects and times the first command of each (a cold sandbox) and measures the memory
// the idle sandboxes hold. Prints p50/p90/p99 in milliseconds; never fails on time. See
// docs/benchmarks.md.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench/child_process.h"
#include "bench/mcp_client.h"
#include "bench/stats.h"
#include "server/sandbox/backends/bwrap_backend.h"

extern char** environ;

namespace benchtop::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double spawn_and_wait(const std::vector<std::string>& command) {
  const auto start = Clock::now();
  std::vector<char*> argv;
  for (const auto& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return ms_since(start);
}

void print_row(const std::string& name, const std::vector<double>& samples) {
  std::printf("%-34s %6zu %9.2f %9.2f %9.2f\n", name.c_str(), samples.size(),
              percentile(samples, 50), percentile(samples, 90), percentile(samples, 99));
}

// Calls `tool` and returns its result; a failure ends the benchmark (its figures would be wrong).
nlohmann::json call_tool(McpClient& client, const std::string& tool,
                         const nlohmann::json& arguments) {
  auto result = client.call("tools/call", {{"name", tool}, {"arguments", arguments}});
  if (!result || result->value("isError", false)) {
    std::cerr << tool << " failed: " << (result ? result->dump() : result.error().message) << "\n";
    std::exit(1);
  }
  return *result;
}

// Proportional and resident memory (KiB) of the processes in the cgroups of `project_ids`: the
// sandboxes' supervisors, bubblewrap's processes and anything left running in them.
std::pair<long, long> sandbox_memory_kib(const std::vector<std::string>& project_ids) {
  long pss = 0, rss = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cgroups(entry.path() / "cgroup");
    const std::string text((std::istreambuf_iterator<char>(cgroups)),
                           std::istreambuf_iterator<char>());
    bool ours = false;
    for (const auto& id : project_ids) ours = ours || text.find("/" + id) != std::string::npos;
    if (!ours) continue;
    std::ifstream rollup(entry.path() / "smaps_rollup");
    std::string key;
    std::getline(rollup, key);  // the address range of the rollup
    long value = 0;
    std::string unit;
    while (rollup >> key >> value >> unit) {
      if (key == "Pss:") pss += value;
      if (key == "Rss:") rss += value;
    }
  }
  return {pss, rss};
}

// The first command of each of `count` new projects (a cold sandbox each), then the memory the
// idle sandboxes hold.
void cold_projects(McpClient& client, int count) {
  std::vector<double> cold, warm;
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    const std::string name = "cold-" + std::to_string(i);
    auto made =
        client.call("tools/call", {{"name", "project_create"}, {"arguments", {{"name", name}}}});
    if (!made || made->value("isError", false)) {
      std::cerr << "project_create failed: " << (made ? made->dump() : made.error().message)
                << "\n";
      std::exit(1);
    }
    ids.push_back((*made)["structuredContent"]["project"]["id"].get<std::string>());
    const nlohmann::json arguments = {{"project", name}, {"command", "true"}};
    for (std::vector<double>* samples : {&cold, &warm}) {
      const auto start = Clock::now();
      call_tool(client, "shell_exec", arguments);
      samples->push_back(ms_since(start));
    }
  }
  print_row("first shell_exec of a new project", cold);
  print_row("its second shell_exec", warm);
  const auto [pss, rss] = sandbox_memory_kib(ids);
  std::printf("%d idle sandboxes: %.0f KiB PSS, %.0f KiB RSS each (%.1f MiB PSS in all)\n", count,
              static_cast<double>(pss) / count, static_cast<double>(rss) / count,
              static_cast<double>(pss) / 1024.0);
  // Sandboxes outlive the server: deleting the projects ends them (and frees their disks).
  for (int i = 0; i < count; ++i) {
    const std::string name = "cold-" + std::to_string(i);
    (void)client.call("tools/call", {{"name", "project_delete"},
                                     {"arguments", {{"project", name}, {"confirm", name}}}});
  }
}

int run(int argc, char** argv) {
  std::string binary = "build/benchtop";
  int calls = 200;
  int rounds = 5;
  int sandboxes = 0;
  std::vector<std::string> extra;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--benchtop" && i + 1 < argc) {
      binary = argv[++i];
    } else if (flag == "--calls" && i + 1 < argc) {
      calls = std::max(1, std::atoi(argv[++i]));
    } else if (flag == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (flag == "--sandboxes" && i + 1 < argc) {
      sandboxes = std::max(0, std::atoi(argv[++i]));
    } else if (flag == "--server-arg" && i + 1 < argc) {
      extra.push_back(argv[++i]);
    } else {
      std::cerr << "usage: exec_bench [--benchtop PATH] [--calls N] [--rounds N] "
                   "[--sandboxes N] [--server-arg ARG]...\n";
      return 2;
    }
  }

  char pattern[] = "/tmp/benchtop-exec-bench-XXXXXX";
  if (!mkdtemp(pattern)) return 1;
  const std::filesystem::path scratch = pattern;
  std::filesystem::create_directories(scratch / "project");
  int status = 0;
  {
    std::vector<std::string> command = {binary,        "stdio",
                                        "--root",      (scratch / "project").string(),
                                        "--data-dir",  (scratch / "data").string(),
                                        "--log-level", "error"};
    command.insert(command.end(), extra.begin(), extra.end());
    auto child = ChildProcess::spawn(command);
    if (!child) {
      std::cerr << child.error().message << "\n";
      return 1;
    }
    McpClient client(child->stdin_fd(), child->stdout_fd(), std::chrono::seconds(30));
    if (auto init = client.initialize(); !init) {
      std::cerr << "initialize: " << init.error().message << "\n";
      return 1;
    }
    const nlohmann::json arguments = {{"command", "true"}};
    auto call_once = [&]() -> double {
      const auto start = Clock::now();
      call_tool(client, "shell_exec", arguments);
      return ms_since(start);
    };
    // The first call creates the sandbox (cgroup, supervisor); it is reported apart.
    const double first = call_once();
    const std::vector<std::string> bare_command = {"/bin/true"};
    // A fresh bubblewrap sandbox per command, started directly: what every command cost before
    // sandboxes became long-lived.
    ContainerSpec spec;
    spec.workspace = scratch / "project";
    const std::vector<std::string> bwrap_command =
        BwrapBackend(CgroupHost{}, "").argv_for(spec, {"/bin/sh", "-c", "true"});
    for (int i = 0; i < 5; ++i) {
      call_once();
      spawn_and_wait(bare_command);
      spawn_and_wait(bwrap_command);
    }

    std::vector<double> mcp, bare, bwrap;
    const int per_round = std::max(1, calls / rounds);
    for (int round = 0; round < rounds; ++round) {
      for (int i = 0; i < per_round; ++i) mcp.push_back(call_once());
      for (int i = 0; i < per_round; ++i) bare.push_back(spawn_and_wait(bare_command));
      for (int i = 0; i < per_round; ++i) bwrap.push_back(spawn_and_wait(bwrap_command));
    }
    std::printf("%-34s %6s %9s %9s %9s\n", "ms per command", "n", "p50", "p90", "p99");
    print_row("shell_exec true (MCP stdio, bwrap)", mcp);
    print_row("bwrap -- /bin/sh -c true (direct)", bwrap);
    print_row("bare posix_spawn /bin/true", bare);
    std::printf("first shell_exec (creates the sandbox): %.2f ms\n", first);
    std::printf(
        "at p50: a command in the project's running sandbox costs %.2f ms over a bare "
        "spawn; a fresh bubblewrap sandbox per command would cost %.2f ms\n",
        percentile(mcp, 50) - percentile(bare, 50), percentile(bwrap, 50) - percentile(bare, 50));
    if (sandboxes > 0) cold_projects(client, sandboxes);
    child->shutdown();
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  return status;
}

}  // namespace
}  // namespace benchtop::bench

int main(int argc, char** argv) {
  return benchtop::bench::run(argc, argv);
}
