#include <signal.h>

#include <boost/describe/class.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "server/mcp/schema/type_schema.h"
#include "tools/common/workspace_args.h"
#include "tools/exec/command_properties.h"
#include "tools/exec/exec_tools.h"

namespace benchtop {
namespace {

using nlohmann::json;

constexpr size_t kMaxRead = 256 * 1024;

json process_id_property() {
  return {{"type", "string"},
          {"minLength", 1},
          {"maxLength", 64},
          {"description", "Process id from process_start or process_list, e.g. 'proc-3'."}};
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
  return info.id + " (" + state + ", " + std::to_string(info.output_bytes) +
         " bytes of output): " + info.command;
}

Tool start_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_start";
  tool.title = "Start background process";
  tool.description =
      "Start `/bin/sh -c command` in the project's dev container without waiting for it (dev "
      "servers, watchers, REPLs). stdout and stderr go, merged, into a ring buffer (the last "
      "1 MiB) that process_read returns; process_write feeds its stdin; process_kill stops it. "
      "The process dies with its container (devcontainer_destroy) and with the server. At most "
      "16 run at once per project.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"command", command_property("Shell command line, e.g. 'npm run dev'.")},
        {"cwd", cwd_property()},
        {"env", env_property()}}},
      {"required", {"command"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ProcessResult>();
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = false};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    if (!containers.exec_enabled()) return ToolResult::error(ContainerManager::disabled_message());
    ProcessLaunch launch;
    launch.command = arguments.value("command", "");
    launch.cwd = arguments.value("cwd", "");
    if (auto env = arguments.find("env"); env != arguments.end()) {
      for (const auto& [name, value] : env->items()) launch.env[name] = value.get<std::string>();
    }
    auto started = containers.start_process(optional_string(arguments, "project"), launch);
    if (!started) return ToolResult::from_error(started.error());
    return ToolResult::success(process_json(*started),
                               "Started " + process_line(*started) +
                                   "\nRead its output with process_read {\"process_id\": \"" +
                                   started->id + "\"}.");
  };
  return tool;
}

Tool read_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_read";
  tool.title = "Read background process output";
  tool.description =
      "Return output of a background process (stdout and stderr merged). Without arguments: "
      "everything still buffered from the start. `since`: continue from the `next` offset of "
      "the previous read (only new output). `tail`: only the last N bytes. At most 256 KiB per "
      "call; `dropped` counts bytes that fell out of the 1 MiB ring before they were read.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"process_id", process_id_property()},
        {"since",
         {{"type", "integer"},
          {"minimum", 0},
          {"description", "Offset to read from (the `next` of the previous read)."}}},
        {"tail",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", static_cast<int64_t>(kMaxRead)},
          {"description", "Return only the last N bytes."}}}}},
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
    structured.output = valid_utf8(slice.data);
    structured.start = slice.start;
    structured.next = slice.next;
    structured.dropped = slice.dropped;
    std::string text = process_line(info) + "\n[offsets " + std::to_string(slice.start) + ".." +
                       std::to_string(slice.next) + "]";
    if (slice.dropped) text += " (" + std::to_string(slice.dropped) + " bytes dropped)";
    text += "\n" + structured.output;
    return ToolResult::success(to_structured(structured), std::move(text));
  };
  return tool;
}

Tool write_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_write";
  tool.title = "Write to background process";
  tool.description =
      "Send text to a background process's standard input (for REPLs and interactive tools). "
      "Include the trailing newline a line-based program expects, e.g. \"print(1)\\n\". Then "
      "call process_read with `since` to see the answer.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"process_id", process_id_property()},
        {"input",
         {{"type", "string"},
          {"maxLength", 1024 * 1024},
          {"description", "Text to write to stdin."}}}}},
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

Tool kill_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_kill";
  tool.title = "Stop background process";
  tool.description =
      "Send a signal to a background process and everything it started. TERM (default) and INT "
      "let it shut down cleanly; KILL ends the whole tree at once. Returns its state; call "
      "process_read to see its last output.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"process_id", process_id_property()},
        {"signal",
         {{"type", "string"},
          {"enum", {"TERM", "INT", "HUP", "QUIT", "KILL", "USR1", "USR2"}},
          {"description", "Signal name (default TERM)."}}}}},
      {"required", {"process_id"}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ProcessResult>();
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = true};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    const std::string name = arguments.value("signal", "TERM");
    const std::pair<const char*, int> signals[] = {
        {"TERM", SIGTERM}, {"INT", SIGINT},   {"HUP", SIGHUP},  {"QUIT", SIGQUIT},
        {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};
    int number = SIGTERM;
    for (const auto& [signal_name, signal_number] : signals) {
      if (name == signal_name) number = signal_number;
    }
    auto info = containers.kill_process(optional_string(arguments, "project"),
                                        arguments.value("process_id", ""), number);
    if (!info) return ToolResult::from_error(info.error());
    return ToolResult::success(process_json(*info), "Sent SIG" + name + ": " + process_line(*info));
  };
  return tool;
}

Tool list_tool(ContainerManager& containers) {
  Tool tool;
  tool.name = "process_list";
  tool.title = "List background processes";
  tool.description =
      "List the project's background processes (running and recently exited) with their ids, "
      "state and output size.";
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

void register_process_tools(ToolRegistry& registry, ContainerManager& containers) {
  registry.add(start_tool(containers));
  registry.add(read_tool(containers));
  registry.add(write_tool(containers));
  registry.add(kill_tool(containers));
  registry.add(list_tool(containers));
}

}  // namespace benchtop
