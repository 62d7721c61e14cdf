#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/utf8.h"
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

json process_schema() {
  return {
      {"type", "object"},
      {"properties",
       {{"process_id", {{"type", "string"}, {"description", "Id to pass to process_*."}}},
        {"command", {{"type", "string"}, {"description", "The command line."}}},
        {"pid", {{"type", "integer"}, {"description", "Host pid of the sandbox process."}}},
        {"running", {{"type", "boolean"}, {"description", "False once it has exited."}}},
        {"exit_code", {{"type", {"integer", "null"}}, {"description", "Exit status once exited."}}},
        {"signal",
         {{"type", {"integer", "null"}}, {"description", "Signal that ended it, if any."}}},
        {"output_bytes",
         {{"type", "integer"}, {"description", "Output produced so far (stdout+stderr)."}}}}},
      {"required",
       {"process_id", "command", "pid", "running", "exit_code", "signal", "output_bytes"}},
      {"additionalProperties", false}};
}

json process_json(const BackgroundProcessInfo& info) {
  return {{"process_id", info.id},
          {"command", info.command},
          {"pid", info.pid},
          {"running", info.running},
          {"exit_code", info.exit_code ? json(*info.exit_code) : json(nullptr)},
          {"signal", info.signal ? json(*info.signal) : json(nullptr)},
          {"output_bytes", info.output_bytes}};
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
  tool.output_schema = process_schema();
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
       {{"process_id", process_id_property()},
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
  json schema = process_schema();
  schema["properties"]["output"] = {{"type", "string"}, {"description", "The bytes read."}};
  schema["properties"]["start"] = {{"type", "integer"},
                                   {"description", "Offset of the first byte of output."}};
  schema["properties"]["next"] = {{"type", "integer"},
                                  {"description", "Pass as `since` to read what follows."}};
  schema["properties"]["dropped"] = {{"type", "integer"},
                                     {"description", "Bytes lost to the ring's bound."}};
  for (const char* key : {"output", "start", "next", "dropped"}) schema["required"].push_back(key);
  tool.output_schema = schema;
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = false};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    auto process = containers.process(arguments.value("process_id", ""));
    if (!process) return ToolResult::from_error(process.error());
    std::optional<uint64_t> since;
    std::optional<size_t> tail;
    if (arguments.contains("since")) since = arguments["since"].get<uint64_t>();
    if (arguments.contains("tail")) tail = arguments["tail"].get<size_t>();
    auto slice = (*process)->read(since, tail);
    if (slice.data.size() > kMaxRead) {
      slice.next = slice.start + kMaxRead;
      slice.data.resize(kMaxRead);
    }
    const auto info = (*process)->info();
    json structured = process_json(info);
    structured["output"] = valid_utf8(slice.data);
    structured["start"] = slice.start;
    structured["next"] = slice.next;
    structured["dropped"] = slice.dropped;
    std::string text = process_line(info) + "\n[offsets " + std::to_string(slice.start) + ".." +
                       std::to_string(slice.next) + "]";
    if (slice.dropped) text += " (" + std::to_string(slice.dropped) + " bytes dropped)";
    text += "\n" + valid_utf8(slice.data);
    return ToolResult::success(std::move(structured), std::move(text));
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
       {{"process_id", process_id_property()},
        {"input",
         {{"type", "string"},
          {"maxLength", 1024 * 1024},
          {"description", "Text to write to stdin."}}}}},
      {"required", {"process_id", "input"}},
      {"additionalProperties", false},
  };
  tool.output_schema = process_schema();
  tool.annotations = {.read_only = false, .destructive = false, .idempotent = false};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    const std::string id = arguments.value("process_id", "");
    const std::string input = arguments.value("input", "");
    if (auto written = containers.write_process(id, input); !written) {
      return ToolResult::from_error(written.error());
    }
    auto process = containers.process(id);
    if (!process) return ToolResult::from_error(process.error());
    const auto info = (*process)->info();
    return ToolResult::success(process_json(info), "Wrote " + std::to_string(input.size()) +
                                                       " bytes to " + process_line(info));
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
       {{"process_id", process_id_property()},
        {"signal",
         {{"type", "string"},
          {"enum", {"TERM", "INT", "HUP", "QUIT", "KILL", "USR1", "USR2"}},
          {"description", "Signal name (default TERM)."}}}}},
      {"required", {"process_id"}},
      {"additionalProperties", false},
  };
  tool.output_schema = process_schema();
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
    auto info = containers.kill_process(arguments.value("process_id", ""), number);
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
  tool.output_schema = {
      {"type", "object"},
      {"properties",
       {{"processes",
         {{"type", "array"}, {"items", process_schema()}, {"description", "Oldest first."}}}}},
      {"required", {"processes"}},
      {"additionalProperties", false}};
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = [&containers](const json& arguments, ToolContext&) {
    auto list = containers.list_processes(optional_string(arguments, "project"));
    if (!list) return ToolResult::from_error(list.error());
    json items = json::array();
    std::string text;
    for (const auto& info : *list) {
      items.push_back(process_json(info));
      text += process_line(info) + "\n";
    }
    if (text.empty()) text = "No background processes; start one with process_start.";
    return ToolResult::success({{"processes", items}}, text);
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
