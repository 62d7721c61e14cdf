#include <boost/describe/class.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/human_units.h"
#include "server/mcp/schema/type_schema.h"
#include "server/preview/port_previews.h"
#include "tools/common/confirmation.h"
#include "tools/common/workspace_args.h"
#include "tools/exec/exec_tools.h"
#include "tools/exec/preview_result.h"

namespace benchtop {
namespace {

using nlohmann::json;

struct ContainerLimitsResult {
  int64_t memory_bytes = 0;
  int64_t pids = 0;
  double cpus = 0;
  int64_t disk_bytes = 0;
  static constexpr std::string_view kDescription =
      "Configured limits (0 = none). Only those in `enforced` hold.";
  static constexpr FieldDoc kFieldDocs[] = {{"memory_bytes", "Memory limit."},
                                            {"pids", "Most processes at once."},
                                            {"cpus", "CPU quota in CPUs."},
                                            {"disk_bytes", "What the workspace can hold in all."}};
};
BOOST_DESCRIBE_STRUCT(ContainerLimitsResult, (), (memory_bytes, pids, cpus, disk_bytes))

struct ContainerUsageResult {
  Nullable<int64_t> memory_bytes;
  Nullable<int64_t> pids;
  Nullable<int64_t> cpu_time_ms;
  Nullable<int64_t> disk_bytes;
  static constexpr std::string_view kDescription =
      "Current use; null where this host cannot measure it.";
  static constexpr FieldDoc kFieldDocs[] = {{"memory_bytes", "Memory in use."},
                                            {"pids", "Processes running."},
                                            {"cpu_time_ms", "CPU time used so far."},
                                            {"disk_bytes", "Space used in the workspace."}};
};
BOOST_DESCRIBE_STRUCT(ContainerUsageResult, (), (memory_bytes, pids, cpu_time_ms, disk_bytes))

struct ContainerResult {
  std::string project;
  std::string project_id;
  std::string backend;
  ContainerState status = ContainerState::kStopped;
  bool network = false;
  ContainerLimitsResult limits;
  std::vector<std::string> enforced;
  std::vector<std::string> notes;
  ContainerUsageResult usage;
  uint64_t processes = 0;
  std::vector<int64_t> ports;
  std::optional<std::vector<PreviewResult>> previews;
  std::string last_activity;
  std::string error;
  static constexpr FieldDoc kFieldDocs[] = {
      {"project", "Project name."},
      {"project_id", "Project id."},
      {"backend", "How the container is made: bwrap (bubblewrap), podman or none (no isolation)."},
      {"status",
       "Lifecycle state. stopped and suspended containers start or resume by themselves on the "
       "next command."},
      {"network",
       "True when commands reach the network through user-mode networking in their own "
       "namespace (never the host's own addresses); false: loopback only, no DNS."},
      {"enforced",
       "What the kernel enforces here: memory, pids, cpu, disk, freeze, tree-kill. Anything "
       "missing is not enforced on this host."},
      {"notes", "Isolation details and why a limit is not enforced."},
      {"processes", "Background processes running (process_list)."},
      {"ports",
       "TCP ports a process in the container listens on (127.0.0.1 or any address): a dev "
       "server other commands of the project can reach at 127.0.0.1:PORT."},
      {"previews",
       "Preview URLs of those ports, when benchtop serves HTTP (absent over stdio only)."},
      {"last_activity", "Last command or change, ISO 8601 UTC."},
      {"error", "Why the status is error, else empty."}};
};
BOOST_DESCRIBE_STRUCT(ContainerResult, (),
                      (project, project_id, backend, status, network, limits, enforced, notes,
                       usage, processes, ports, previews, last_activity, error))

// The previews of the ports the status lists; empty when there are no links or they are not
// served.
std::vector<PortPreview> previews_of(const ContainerInfo& info, const PreviewLinks* links) {
  if (!links) return {};
  return port_previews(*links, info.project_id, info.backend_status.listening_ports);
}

ContainerResult container_result(const ContainerInfo& info, const PreviewLinks* links,
                                 const std::vector<PortPreview>& previews) {
  const auto& usage = info.backend_status.usage;
  ContainerResult result;
  result.project = info.project_name;
  result.project_id = info.project_id;
  result.backend = info.backend;
  result.status = info.state;
  result.network = info.network;
  result.limits = {.memory_bytes = info.limits.memory_bytes,
                   .pids = info.limits.pids,
                   .cpus = static_cast<double>(info.limits.cpu_millis) / 1000.0,
                   .disk_bytes = info.disk_limit_bytes};
  result.enforced = info.backend_status.enforced;
  result.notes = info.backend_status.notes;
  result.usage.memory_bytes = usage.memory_bytes;
  result.usage.pids = usage.pids;
  if (usage.cpu_usec) result.usage.cpu_time_ms = *usage.cpu_usec / 1000;
  result.usage.disk_bytes = usage.disk_bytes;
  result.processes = info.processes;
  result.ports.assign(info.backend_status.listening_ports.begin(),
                      info.backend_status.listening_ports.end());
  if (links && links->serving()) result.previews = preview_results(previews);
  result.last_activity = info.last_activity;
  result.error = info.error;
  return result;
}

std::string container_text(const ContainerInfo& info, const std::vector<PortPreview>& previews) {
  std::string text = "Dev container of '" + info.project_name +
                     "': " + std::string(to_string(info.state)) + " (backend " + info.backend +
                     ", " + (info.network ? "network through user-mode networking" : "no network") +
                     ")";
  text += "\n  limits: memory " + human_bytes(info.limits.memory_bytes) + ", pids " +
          std::to_string(info.limits.pids) + ", cpus " +
          std::to_string(info.limits.cpu_millis / 1000.0).substr(0, 4);
  if (info.disk_limit_bytes > 0) {
    text += ", disk " + human_bytes(info.disk_limit_bytes);
  }
  std::string enforced;
  for (const auto& item : info.backend_status.enforced) {
    enforced += (enforced.empty() ? "" : ", ") + item;
  }
  text += "\n  enforced: " + (enforced.empty() ? std::string("nothing") : enforced);
  const auto& usage = info.backend_status.usage;
  if (usage.memory_bytes) text += "\n  memory in use: " + human_bytes(*usage.memory_bytes);
  if (usage.pids) text += "\n  processes: " + std::to_string(*usage.pids);
  if (usage.cpu_usec) text += "\n  cpu time: " + std::to_string(*usage.cpu_usec / 1000) + " ms";
  if (usage.disk_bytes) text += "\n  disk in use: " + human_bytes(*usage.disk_bytes);
  if (!info.backend_status.listening_ports.empty()) {
    text += "\n  listening on:";
    for (int port : info.backend_status.listening_ports) text += " " + std::to_string(port);
  }
  text += preview_lines(previews, "  ");
  for (const auto& note : info.backend_status.notes) text += "\n  note: " + note;
  if (!info.error.empty()) text += "\n  error: " + info.error;
  return text;
}

json project_only_schema() {
  return {{"type", "object"},
          {"properties", {{"project", project_property()}}},
          {"additionalProperties", false}};
}

ToolResult respond(const Result<ContainerInfo>& info, const PreviewLinks* links) {
  if (!info) return ToolResult::from_error(info.error());
  const auto previews = previews_of(*info, links);
  return ToolResult::success(to_structured(container_result(*info, links, previews)),
                             container_text(*info, previews));
}

Tool ensure_tool(ContainerManager& containers, const PreviewLinks* links) {
  Tool tool;
  tool.name = "devcontainer_ensure";
  tool.title = "Start or update dev container";
  tool.description =
      "Start the dev container (commands do too), optionally lowering its limits or allowing "
      "network. Returns what devcontainer_status returns.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"memory_mb",
         {{"type", "integer"},
          {"minimum", 16},
          {"maximum", 1048576},
          {"description", "MiB, at most the operator's."}}},
        {"pids",
         {{"type", "integer"},
          {"minimum", 8},
          {"maximum", 65536},
          {"description", "Most processes, at most the operator's."}}},
        {"cpus",
         {{"type", "number"},
          {"exclusiveMinimum", 0},
          {"maximum", 256},
          {"description", "CPUs, at most the operator's."}}},
        {"network",
         {{"type", "boolean"},
          {"description",
           "Outside network (never the host), if the operator allows and the user confirms."}}},
        {"confirm", {{"type", "string"}, {"description", "The project's name, confirming."}}}}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ContainerResult>();
  tool.output_schema_listed = false;  // as devcontainer_status
  // Open world: with network, code in the project talks to hosts outside benchtop.
  tool.annotations = {
      .read_only = false, .destructive = false, .idempotent = true, .open_world = true};
  tool.handler = [&containers, links](const json& arguments, ToolContext& context) {
    ContainerSettings settings;
    if (arguments.contains("memory_mb")) {
      settings.memory_bytes = arguments["memory_mb"].get<int64_t>() * 1024 * 1024;
    }
    if (arguments.contains("pids")) settings.pids = arguments["pids"].get<int64_t>();
    if (arguments.contains("cpus")) {
      settings.cpu_millis = static_cast<int64_t>(arguments["cpus"].get<double>() * 1000);
    }
    if (arguments.contains("network")) settings.network = arguments["network"].get<bool>();
    const auto project = optional_string(arguments, "project");
    if (settings.network.value_or(false)) {
      if (!containers.network_allowed()) {
        return ToolResult::error(ContainerManager::network_not_allowed_message());
      }
      auto current = containers.status(project);
      if (!current) return ToolResult::from_error(current.error());
      const std::string& name = current->project_name;
      if (!current->network) {
        if (auto refusal = confirm_destructive(
                context,
                "Allow the dev container of project '" + name +
                    "' to reach the network? Code in the project (and the model driving it) "
                    "could then download, upload and talk to any host on the internet or your "
                    "local network, though not to this computer's own services.",
                arguments.value("confirm", "") == name,
                "Network not enabled: the user must agree. Ask them, then set `confirm` to the "
                "project's exact name ('" +
                    name + "').")) {
          return *refusal;
        }
      }
    }
    return respond(containers.ensure(project, settings), links);
  };
  return tool;
}

Tool simple_tool(const char* name, const char* title, std::string description,
                 ToolAnnotations annotations, const PreviewLinks* links,
                 std::function<Result<ContainerInfo>(const std::optional<std::string>&)> action) {
  Tool tool;
  tool.name = name;
  tool.title = title;
  tool.description = std::move(description);
  tool.input_schema = project_only_schema();
  tool.output_schema = schema_of<ContainerResult>();
  // devcontainer_status lists the shape; the others say they return the same.
  tool.output_schema_listed = tool.name == "devcontainer_status";
  tool.annotations = annotations;
  tool.handler = [action = std::move(action), links](const json& arguments, ToolContext&) {
    return respond(action(optional_string(arguments, "project")), links);
  };
  return tool;
}

Tool destroy_tool(ContainerManager& containers, const PreviewLinks* links) {
  Tool tool;
  tool.name = "devcontainer_destroy";
  tool.title = "Destroy dev container";
  tool.description =
      "Kill the dev container and its processes; files stay. Asks the user, or needs `confirm` = "
      "the project's name. Returns what devcontainer_status returns.";
  tool.input_schema = {
      {"type", "object"},
      {"properties",
       {{"project", project_property()},
        {"confirm", {{"type", "string"}, {"description", "The project's name, confirming."}}}}},
      {"additionalProperties", false},
  };
  tool.output_schema = schema_of<ContainerResult>();
  tool.output_schema_listed = false;  // as devcontainer_status
  tool.annotations = {.read_only = false, .destructive = true, .idempotent = true};
  tool.handler = [&containers, links](const json& arguments, ToolContext& context) {
    const auto project = optional_string(arguments, "project");
    auto current = containers.status(project);
    if (!current) return ToolResult::from_error(current.error());
    const std::string& name = current->project_name;
    if (auto refusal = confirm_destructive(
            context,
            "Destroy the dev container of project '" + name +
                "'? Every process in it (background processes included) is killed; the "
                "workspace files are kept.",
            arguments.value("confirm", "") == name,
            "Not destroyed: set `confirm` to the project's exact name ('" + name + "').")) {
      return *refusal;
    }
    return respond(containers.destroy(project), links);
  };
  return tool;
}

}  // namespace

void register_devcontainer_tools(ToolRegistry& registry, ContainerManager& containers,
                                 const PreviewLinks* previews) {
  // A container's lifecycle changes no file: no checkpoint scans around these calls.
  const auto add = [&registry](Tool tool) {
    tool.changes_files = false;
    registry.add(std::move(tool));
  };
  add(ensure_tool(containers, previews));
  add(simple_tool("devcontainer_status", "Dev container status",
                  "The dev container's state, limits (and which are enforced), usage and listening "
                  "ports with preview URLs.",
                  {.read_only = true, .destructive = false, .idempotent = true}, previews,
                  [&containers](const auto& project) { return containers.status(project); }));
  add(simple_tool("devcontainer_suspend", "Suspend dev container",
                  "Freeze the dev container (memory kept, no CPU) until the next command or "
                  "devcontainer_resume. Returns what devcontainer_status returns.",
                  {.read_only = false, .destructive = false, .idempotent = true}, previews,
                  [&containers](const auto& project) { return containers.suspend(project); }));
  add(simple_tool("devcontainer_resume", "Resume dev container",
                  "Thaw a suspended dev container (or start a stopped one). Returns what "
                  "devcontainer_status returns.",
                  {.read_only = false, .destructive = false, .idempotent = true}, previews,
                  [&containers](const auto& project) { return containers.resume(project); }));
  add(destroy_tool(containers, previews));
}

void register_exec_tools(ToolRegistry& registry, ContainerManager& containers,
                         const PreviewLinks* previews) {
  register_devcontainer_tools(registry, containers, previews);
  register_shell_tools(registry, containers, containers);
  register_process_tools(registry, containers, {.previews = previews});
}

}  // namespace benchtop
