// The composition root: flags → services → tool registry → transport. No logic of its own.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <thread>

#include "app/chat_command.h"
#include "app/cli_options.h"
#include "app/http_command.h"
#include "app/services.h"
#include "common/log.h"
#include "server/mcp/connection_server.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/mcp/startup_gate.h"
#include "server/mcp/workers/worker_pool.h"
#include "server/workspace/project_instructions.h"
#include "transport/stdio_connection.h"

#ifndef BENCHTOP_VERSION
#define BENCHTOP_VERSION "0.0.0"
#endif

namespace benchtop {
namespace {

bool apply_log_level(const std::string& name) {
  if (name == "debug")
    log::set_level(log::Level::kDebug);
  else if (name == "info")
    log::set_level(log::Level::kInfo);
  else if (name == "warning")
    log::set_level(log::Level::kWarning);
  else if (name == "error")
    log::set_level(log::Level::kError);
  else
    return false;
  return true;
}

size_t default_workers() {
  return std::max<size_t>(4, 2 * std::max(1u, std::thread::hardware_concurrency()));
}

// Schemas compile on first use; compiling them on a worker right after start keeps that cost out
// of the first calls and reports a broken schema in the log right away.
void compile_schemas_soon(WorkerPool& workers, const ToolRegistry& tools) {
  workers.submit([&tools] {
    if (auto checked = tools.compile_all(); !checked) log::error(checked.error().message);
  });
}

// A client that spawns the server sends `initialize` at once and waits for the answer before
// anything else. The handshake does not need the services (opening SQLite, registering every tool
// family, the sandbox's cgroup probe: about half of a start), so it is answered while they are
// built; requests that need them wait for them (StartupGate).
int serve_stdio(const CliOptions& options, Services& services, McpServer& server,
                WorkerPool& workers) {
  StdioConnection connection = StdioConnection::take_process_stdio(options.max_message_bytes);
  StartupGate started;
  server.set_startup_gate(started);
  // Calls still running when the client closes our input get this long to finish and be
  // answered, so `printf '...' | benchtop stdio` works; clients that end a session wait for
  // the process to exit (and signal it after a grace period of their own). Then they are
  // cancelled, and a call that has not ended a few seconds after that is left behind: the end of
  // the input always ends the process.
  bool all_finished = true;
  std::thread reader([&] {
    all_finished =
        serve_connection(server, connection, std::chrono::seconds(10), std::chrono::seconds(3));
  });
  // Whatever happens here, the gate must open and the reader be joined: an exception escaping
  // with the reader still running would end the process without a word.
  Status built;
  try {
    built = build_services(options, services);
  } catch (const std::exception& e) {
    built = Error::make(std::string("start-up failed: ") + e.what());
  }
  if (built) {
    log::info("serving MCP on stdio");
    compile_schemas_soon(workers, services.tools);
  } else {
    // Still serving: the client learns why from the error every request gets, not from a
    // process that vanished after its handshake.
    log::error(built.error().message);
  }
  const bool ok = static_cast<bool>(built);
  started.open(std::move(built));
  reader.join();
  if (!all_finished) {
    // Destructors would join the stuck worker; leave without them. The database is in WAL mode
    // and every write is a committed transaction, so nothing is lost by not closing it.
    log::warning("stdin closed; a call did not end after being cancelled; exiting without it");
    std::fflush(nullptr);
    ::_exit(ok ? 0 : 1);
  }
  log::info("stdin closed; exiting");
  return ok ? 0 : 1;
}

// Names the default project's notes for agents (AGENTS.md, CLAUDE.md), so a client reads them
// before it changes anything; empty without a default project or without such files.
std::string default_project_instructions(Services& services) {
  if (!services.projects) return "";
  auto project = services.projects->default_project();
  if (!project || !project->has_value()) return "";
  auto workspace = services.projects->workspace((*project)->id);
  if (!workspace) return "";
  std::string named;
  for (const std::string& file : instruction_files_present(**workspace)) {
    if (!named.empty()) named += " and ";
    named += "benchtop://" + (*project)->name + "/" + file;
  }
  if (named.empty()) return "";
  return " The default project, '" + (*project)->name +
         "', has instructions for agents working on it: read " + named +
         " (or fs_read them) before changing it.";
}

int run(const CliOptions& options) {
  // Services first: everything below refers to them, so they are destroyed last.
  auto services = std::make_unique<Services>();
  if (options.command != Command::kStdio) {
    if (auto built = build_services(options, *services); !built) {
      log::error(built.error().message);
      return 1;
    }
  }
  if (options.command == Command::kChat) return run_chat_command(options, *services);
  WorkerPool workers(options.workers ? options.workers : default_workers(),
                     options.max_queued_calls);
  ServerIdentity identity;
  identity.version = BENCHTOP_VERSION;
  identity.instructions =
      "benchtop gives you a workbench of projects. Every tool acts inside one project's "
      "workspace; pass `project` (id or name from project_list) unless a default project is set. "
      "Paths are relative to the workspace root; results show a name's control characters and "
      "non-UTF-8 bytes as \\xHH and a backslash as \\\\, and paths are accepted as shown.";
  identity.instructions_addendum = [&services = *services] {
    return default_project_instructions(services);
  };
  McpServer server(identity, services->tools, services->resources, services->prompts, workers);
  services->tools_changed = [&server] { server.notify_list_changed("tools"); };
  server.set_long_call_limits(
      {options.long_workers, options.long_calls_per_project, options.long_calls_per_client});
  server.set_project_of_call(project_of_call(*services));
  if (options.command == Command::kStdio) return serve_stdio(options, *services, server, workers);

  const ToolRegistry& tools = services->tools;
  if (options.command == Command::kTools) {
    if (auto checked = tools.compile_all(); !checked) {
      log::error(checked.error().message);
      return 1;
    }
    std::cout << tools.list().dump(2) << "\n";
    return 0;
  }
  compile_schemas_soon(workers, tools);
  return run_http_server(options, server, *services);
}

}  // namespace
}  // namespace benchtop

int main(int argc, char** argv) {
  using namespace benchtop;
  // glibc gives every thread that allocates concurrently an arena of its own, up to eight per
  // core; with tool calls on a pool and searches on two threads each, the freed memory spread over
  // those arenas kept the peak resident set several MiB above what was in use. One arena per core
  // keeps contention low and the footprint small.
  ::mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  auto parsed = parse_cli(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "benchtop: %s\n", parsed.error().message.c_str());
    return 2;
  }
  const CliOptions& options = *parsed;
  switch (options.command) {
    case Command::kHelp:
      std::cout << usage();
      return 0;
    case Command::kVersion:
      std::cout << "benchtop " << BENCHTOP_VERSION << "\n";
      return 0;
    default:
      break;
  }
  if (!apply_log_level(options.log_level)) {
    std::fprintf(stderr, "benchtop: unknown --log-level '%s'\n", options.log_level.c_str());
    return 2;
  }
  if (options.command == Command::kServe || options.command == Command::kChat) {
    block_shutdown_signals();
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    log::error(std::string("fatal: ") + e.what());
    return 1;
  }
}
