#include <signal.h>

#include <algorithm>
#include <boost/describe/class.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/human_units.h"
#include "common/utf8.h"
#include "server/mcp/schema/type_schema.h"
#include "server/preview/port_previews.h"
#include "tools/common/output_budget.h"
#include "tools/common/workspace_args.h"
#include "tools/exec/command_properties.h"
#include "tools/exec/exec_tools.h"
#include "tools/exec/preview_result.h"

namespace benchtop {
namespace {

using nlohmann::json;

constexpr size_t kMaxRead = 256 * 1024;
// The output shown of a process that exited while process_start waited for its port.
constexpr uint64_t kExitOutputTail = 4096;

json process_id_property() {
  return {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 64},
          {"description", "Process id, e.g. 'proc-3'."}};
}

struct ProcessResult {
  std::string process_id;
  std::string command;
  int pid = 0;
  bool running = false;
  Nullable<int> exit_code;
  Nullable<int> signal;
  uint64_t output_bytes = 0;
  static constexpr FieldDoc kFieldDocs[] = {
      {"process_id", "Id to pass to process_*."},
      {"command", "The command line."},
      {"pid", "Host pid of the sandbox process."},
      {"running", "False once it has exited."},
      {"exit_code", "Exit status once exited."},
      {"signal", "Signal that ended it, if any."},
      {"output_bytes", "Output produced so far (stdout+stderr)."}};
};
BOOST_DESCRIBE_STRUCT(ProcessResult, (),
                      (process_id, command, pid, running, exit_code, signal, output_bytes))

struct ProcessReadResult : ProcessResult {
  std::string output;
  uint64_t start = 0;
  uint64_t next = 0;
  uint64_t dropped = 0;
  static constexpr FieldDoc kFieldDocs[] = {{"output", "The bytes read."},
                                            {"start", "Offset of the first byte of output."},
                                            {"next", "Pass as `since` to read what follows."},
                                            {"dropped", "Bytes lost to the ring's bound."}};
};
BOOST_DESCRIBE_STRUCT(ProcessReadResult, (ProcessResult), (output, start, next, dropped))

struct ProcessStartResult : ProcessResult {
  std::optional<std::vector<int64_t>> ports;
  std::optional<std::vector<PreviewResult>> previews;
  static constexpr FieldDoc kFieldDocs[] = {
      {"ports",
       "TCP ports a process in the project's container listens on now (absent when the "
       "container cannot be asked)."},
      {"previews",
       "Preview URLs of those ports, when benchtop serves HTTP (absent over stdio only)."}};
};
BOOST_DESCRIBE_STRUCT(ProcessStartResult, (ProcessResult), (ports, previews))

struct ProcessListResult {
  std::vector<ProcessResult> processes;
  static constexpr FieldDoc kFieldDocs[] = {{"processes", "Oldest first."}};
};
BOOST_DESCRIBE_STRUCT(ProcessListResult, (), (processes))

ProcessResult process_result(const BackgroundProcessInfo& info) {
  ProcessResult result;
  result.process_id = info.id;
  result.command = info.command;
  result.pid = info.pid;
  result.running = info.running;
  result.exit_code = info.exit_code;
  result.signal = info.signal;
  result.output_bytes = info.output_bytes;
  return result;
}

json process_json(const BackgroundProcessInfo& info) {
  return to_structured(process_result(info));
}

std::string process_line(const BackgroundProcessInfo& info) {
  std::string state = info.running     ? "running"
                      : info.exit_code ? "exited " + std::to_string(*info.exit_code)
                      : info.signal    ? "killed by signal " + std::to_string(*info.signal)
                                       : "ended";
  return info.id + " (" + state + ", " + human_bytes(info.output_bytes) +
         " of output): " + info.command;
}

// Sleeps for a while, or less when the call is cancelled meanwhile.
class CancellableWait {
 public:
  explicit CancellableWait(const CancellationToken& cancellation)
      : state_(std::make_shared<State>()) {
    // The callback may run after this object is gone (the token lives on): it holds the state.
    cancellation.on_cancel([state = state_] {
      {
        std::lock_guard lock(state->mutex);
        state->cancelled = true;
      }
      state->woken.notify_all();
    });
  }
  // False once cancelled.
  bool wait(std::chrono::milliseconds period) {
    std::unique_lock lock(state_->mutex);
    return !state_->woken.wait_for(lock, period, [this] { return state_->cancelled; });
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable woken;
    bool cancelled = false;
  };
  std::shared_ptr<State> state_;
};

bool contains(const std::optional<std::vector<int>>& ports, int port) {
  return ports && std::find(ports->begin(), ports->end(), port) != ports->end();
}

// Waits until the project's container listens on `port`, and returns the ports listening then.
// Fails when the process exits first (with the end of its output), when the wait runs out, and
// on cancellation. `latest` is the process as last seen.
Result<std::optional<std::vector<int>>> wait_for_port(ContainerManager& containers, int port,
                                                      const ToolContext& context,
                                                      const ProcessToolOptions& options,
                                                      BackgroundProcessInfo& latest) {
  const auto give_up = std::chrono::steady_clock::now() + options.port_wait_limit;
  const std::string project = latest.project_id;
  const std::string id = latest.id;
  const std::string still_running = "; " + id +
                                    " is still running (process_read {\"process_id\": \"" + id +
                                    "\"} shows its output, process_kill stops it)";
  CancellableWait pause(context.cancellation());
  for (;;) {
    auto ports = containers.listening_ports(project);
    if (contains(ports, port)) return ports;
    auto read = containers.read_process(project, id, std::nullopt, kExitOutputTail, kMaxRead);
    if (!read) {
      return Error::make("while waiting for port " + std::to_string(port) + ": " +
                         read.error().message);
    }
    latest = read->process;
    if (!latest.running) {
      // It may have handed the port to a child before it ended (a server that daemonises).
      ports = containers.listening_ports(project);
      if (contains(ports, port)) return ports;
      std::string message = "The process ended before anything listened on port " +
                            std::to_string(port) + ": " + process_line(latest);
      message +=
          read->data.empty() ? "\n(no output)" : "\n--- last output ---\n" + valid_utf8(read->data);
      return Error::make(std::move(message), "process_exited");
    }
    const auto left = give_up - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      return Error::make("nothing listens on port " + std::to_string(port) + " after " +
                             std::to_string(options.port_wait_limit.count()) + " ms" +
                             still_running,
                         "timeout");
    }
    const auto period = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(left),
                                 options.port_poll_interval);
    if (!pause.wait(std::max(period, std::chrono::milliseconds(1)))) {
      return Error::make("cancelled while waiting for port " + std::to_string(port) + still_running,
                         "cancelled");
    }
  }
}

Tool start_tool(ContainerManager& containers, const ProcessToolOptions& options) {
  Tool tool;
  tool.name = "process_start";
  tool.runs_commands = true;
  tool.title = "Start background process";
  tool.description =
      "Start `sh -c command` in the background (dev servers, REPLs). With wait_for_port, returns "
      "once it listens, with its preview URL.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"command", command_property("Shell command, e.g. 'npm run dev'.")},
        {"cwd", cwd_property()},
        {"env", env_property()},
        {"wait_for_port",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", 65535},
          {"description", "Wait until this port listens."}}}}},
      {"required", {"command"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ProcessStartResult>();
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.execution = ToolExecution::kLongRunning;  // wait_for_port may wait for a minute
  tool.handler = [&containers, options](const json& arguments, ToolContext& context) {
    if (!containers.exec_enabled()) return ToolResult::error(ContainerManager::disabled_message());
    ProcessLaunch launch;
    launch.command = arguments.value("command", "");
    launch.cwd = arguments.value("cwd", "");
    if (auto env = arguments.find("env"); env != arguments.end()) {
      for (const auto& [name, value] : env->items()) launch.env[name] = value.get<std::string>();
    }
    auto started = containers.start_process(optional_string(arguments, "project"), launch);
    if (!started) return ToolResult::from_error(started.error());
    BackgroundProcessInfo latest = *started;
    std::optional<std::vector<int>> ports;
    if (auto port = arguments.find("wait_for_port"); port != arguments.end()) {
      auto listening = wait_for_port(containers, port->get<int>(), context, options, latest);
      if (!listening) return ToolResult::from_error(listening.error());
      ports = std::move(*listening);
    } else {
      ports = containers.listening_ports(started->project_id);
    }
    ProcessStartResult result;
    static_cast<ProcessResult&>(result) = process_result(latest);
    std::string text = "Started " + process_line(latest);
    if (ports) {
      result.ports.emplace(ports->begin(), ports->end());
      if (!ports->empty()) {
        text += "\nThe container listens on:";
        for (int port : *ports) text += " " + std::to_string(port);
      }
      if (options.previews && options.previews->serving()) {
        const auto previews = port_previews(*options.previews, started->project_id, *ports);
        result.previews = preview_results(previews);
        text += preview_lines(previews, "");
      }
    }
    text += "\nRead its output with process_read {\"process_id\": \"" + started->id + "\"}.";
    return ToolResult::success(to_structured(result), std::move(text));
  };
  return tool;
}

// A read's output within the server's output budget: over it, the head and the tail, and a marker
// naming the bytes left out and the offset to read them from. `next` still follows the tail, so a
// client that reads on with it sees each new byte once. Cut before valid_utf8 replaces anything,
// so the offset counts the process's own bytes.
std::string budgeted_output(const ProcessOutput& slice) {
  constexpr size_t kHintBytes = 64;
  const auto cut = cut_points(slice.data, kDefaultOutputBudget, kHintBytes);
  if (!cut) return slice.data;
  return cut_at(slice.data, *cut,
                "read them with process_read since=" + std::to_string(slice.start + cut->head_end))
      .text;
}

Tool read_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_read";
  tool.title = "Read background process output";
  tool.description =
      "Output of a background process; `since` (the previous `next`) gives only new output.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"process_id", process_id_property()},
        {"since",
         {{"type", "integer"}, {"minimum", 0}, {"description", "The previous read's `next`."}}},
        {"tail",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", static_cast<int64_t>(kMaxRead)},
          {"description", "Only the last N bytes."}}}}},
      {"required", {"process_id"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ProcessReadResult>();
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = false};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    std::optional<uint64_t> since;
    std::optional<uint64_t> tail;
    if (arguments.contains("since")) since = arguments["since"].get<uint64_t>();
    if (arguments.contains("tail")) tail = arguments["tail"].get<uint64_t>();
    auto read = containers.read_process(optional_string(arguments, "project"),
                                        arguments.value("process_id", ""), since, tail, kMaxRead);
    if (!read) return ToolResult::from_error(read.error());
    const ProcessOutput& slice = *read;
    const auto& info = slice.process;
    ProcessReadResult structured;
    static_cast<ProcessResult&>(structured) = process_result(info);
    structured.output = valid_utf8(budgeted_output(slice));
    structured.start = slice.start;
    structured.next = slice.next;
    structured.dropped = slice.dropped;
    std::string text = process_line(info) + "\n[offsets " + std::to_string(slice.start) + ".." +
                       std::to_string(slice.next) + "]";
    if (slice.dropped) text += " (" + human_bytes(slice.dropped) + " dropped)";
    text += "\n" + structured.output;
    return ToolResult::success(to_structured(structured), std::move(text));
  };
  return tool;
}

Tool write_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_write";
  tool.runs_commands = true;
  tool.title = "Write to background process";
  tool.description = "Write text (with its newline) to a background process's stdin.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"process_id", process_id_property()},
        {"input",
         {{"type", "string"}, {"maxLength", 1024 * 1024}, {"description", "Text to write."}}}}},
      {"required", {"process_id", "input"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ProcessResult>();
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = false};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    const std::string id = arguments.value("process_id", "");
    const std::string input = arguments.value("input", "");
    const auto project = optional_string(arguments, "project");
    if (auto written = containers.write_process(project, id, input); !written) {
      return ToolResult::from_error(written.error());
    }
    auto list = containers.list_processes(project);
    if (!list) return ToolResult::from_error(list.error());
    for (const auto& info : *list) {
      if (info.id == id) {
        return ToolResult::success(process_json(info), "Wrote " + std::to_string(input.size()) +
                                                           " bytes to " + process_line(info));
      }
    }
    return ToolResult::error("process '" + id + "' is gone; call process_list");
  };
  return tool;
}

// After a signal: the process as it is once it has ended, or as it still is when `limit` passed
// (a server may take a moment to shut down cleanly). Ends early on cancellation.
BackgroundProcessInfo settle(ContainerManager& containers,
                             const std::optional<std::string>& project, BackgroundProcessInfo info,
                             std::chrono::milliseconds limit, std::chrono::milliseconds interval,
                             const ToolContext& context) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  CancellableWait pause(context.cancellation());
  while (info.running && std::chrono::steady_clock::now() < give_up && pause.wait(interval)) {
    auto list = containers.list_processes(project);
    if (!list) break;
    for (const auto& process : *list) {
      if (process.id == info.id) info = process;
    }
  }
  return info;
}

Tool kill_tool(ContainerManager& containers, const ProcessToolOptions& options) {
  Tool tool;
  tool.name = "process_kill";
  tool.title = "Stop background process";
  tool.description = "Signal a background process and its children; returns its final state.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"process_id", process_id_property()},
        {"signal",
         {{"type", "string"},
          {"enum", {"TERM", "INT", "HUP", "QUIT", "KILL", "USR1", "USR2"}},
          {"default", "TERM"},
          {"description", "Signal name."}}}}},
      {"required", {"process_id"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ProcessResult>();
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = true};
  tool.handler = [&containers, options](const json& arguments, ToolContext& context) {
    const std::string name = arguments.value("signal", "TERM");
    const std::pair<const char*, int> signals[] = {
        {"TERM", SIGTERM}, {"INT", SIGINT},   {"HUP", SIGHUP},  {"QUIT", SIGQUIT},
        {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};
    int number = SIGTERM;
    for (const auto& [signal_name, signal_number] : signals) {
      if (name == signal_name) number = signal_number;
    }
    const auto project = optional_string(arguments, "project");
    auto info = containers.kill_process(project, arguments.value("process_id", ""), number);
    if (!info) return ToolResult::from_error(info.error());
    // USR1/USR2/HUP ask a process to do something, not to end: no wait for those.
    const bool ends =
        number == SIGTERM || number == SIGINT || number == SIGQUIT || number == SIGKILL;
    const BackgroundProcessInfo final_state =
        ends ? settle(containers, project, *info, options.stop_wait_limit,
                      options.port_poll_interval, context)
             : *info;
    std::string text = "Sent SIG" + name + ": " + process_line(final_state);
    if (ends && final_state.running) {
      text +=
          "\nIt is still running " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(options.stop_wait_limit).count()) +
          " s later; process_kill with signal KILL ends it at once.";
    }
    return ToolResult::success(process_json(final_state), std::move(text));
  };
  tool.changes_files = false;  // a signal changes no file itself
  return tool;
}

Tool list_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_list";
  tool.title = "List background processes";
  tool.description = "The project's background processes with their ids, state and output size.";
  tool.input_schema = {{"type", "object"},
                       {"properties", {{"project", project_property()}}},
                       {"additionalProperties", false}};
  tool.output_schema = schema_of<ProcessListResult>();
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    auto list = containers.list_processes(optional_string(arguments, "project"));
    if (!list) return ToolResult::from_error(list.error());
    ProcessListResult result;
    std::string text;
    for (const auto& info : *list) {
      result.processes.push_back(process_result(info));
      text += process_line(info) + "\n";
    }
    if (text.empty()) text = "No background processes; start one with process_start.";
    return ToolResult::success(to_structured(result), text);
  };
  return tool;
}

}  // namespace

void register_process_tools(ToolRegistry& registry, ContainerManager& containers,
                            ProcessToolOptions options) {
  registry.add(start_tool(containers, options));
  registry.add(read_tool(containers));
  registry.add(write_tool(containers));
  registry.add(kill_tool(containers, options));
  registry.add(list_tool(containers));
}

}  // namespace benchtop
