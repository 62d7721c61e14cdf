#include "app/services.h"

#include "common/log.h"
#include "server/project/project_resolver.h"
#include "server/sandbox/backends/backend_factory.h"
#include "server/sandbox/linux/limit_warnings.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "tools/agent/agent_tools.h"
#include "tools/checkpoints/checkpoint_recording.h"
#include "tools/checkpoints/checkpoint_tools.h"
#include "tools/code/code_check_tool.h"
#include "tools/code/code_tools.h"
#include "tools/common/host_paths.h"
#include "tools/exec/exec_tools.h"
#include "tools/exec/preview_resources.h"
#include "tools/fs/fs_tools.h"
#include "tools/git/git_tools.h"
#include "tools/projects/project_prompts.h"
#include "tools/projects/project_resources.h"
#include "tools/projects/project_tools.h"
#include "tools/search/search_tools.h"
#include "tools/test_runs/test_tools.h"

namespace benchtop {

namespace {

std::unique_ptr<ChatService> make_chat_service(const CliOptions& options, Services& services) {
  LlmConfig llm = LlmConfig::from_process_environment();
  llm.temperature = options.llm_temperature;
  llm.max_tokens = options.llm_max_tokens;
  llm.request_timeout = std::chrono::seconds(options.llm_timeout_seconds);
  llm.max_retries = static_cast<int>(options.llm_retries);
  const auto missing = llm.missing();
  if (!missing) log::info("built-in agent: " + llm.describe());
  AgentOptions agent;
  agent.max_rounds = static_cast<int>(options.agent_max_rounds);
  agent.time_limit = std::chrono::seconds(options.agent_time_limit_seconds);
  auto client = std::make_unique<OpenAiClient>(
      llm, [](int attempt, std::chrono::milliseconds delay, const std::string& why) {
        log::warning("model request failed (" + why + "); retry " + std::to_string(attempt) +
                     " in " + std::to_string(delay.count()) + " ms");
      });
  return std::make_unique<ChatService>(*services.repositories.threads, services.tools,
                                       *services.projects, std::move(client), missing, agent);
}

// Leaves only the tools the operator chose (and hides those that run commands while the kill
// switch is on).
Status select_tools(const CliOptions& options, Services& services) {
  ToolRegistry& tools = services.tools;
  if (auto selected = tools.select(options.tool_selection); !selected) {
    return Error::make("tool selection: " + selected.error().message);
  }
  // One project and no way to name another: `project` would only cost context.
  if (options.roots.size() == 1 && !tools.toolsets().count("projects")) {
    ToolSelection single;
    single.single_project = true;
    if (auto narrowed = tools.select(single); !narrowed) return narrowed;
    log::info("one project (" + options.roots.front() + "): tools take no `project` argument");
  }
  // The kill switch withdraws the tools that run commands, rather than leaving them to refuse.
  tools.set_hidden([containers = services.containers.get()](const Tool& tool) {
    return tool.runs_commands && !containers->exec_enabled();
  });
  services.containers->on_exec_enabled_changed([&services](bool) {
    if (services.tools_changed) services.tools_changed();
  });
  log::info(std::to_string(tools.size()) + " tools offered");
  return {};
}

}  // namespace

Status build_services(const CliOptions& options, Services& services) {
  if (options.command == Command::kTools) {
    // Printing the tool list has no side effects: the services it needs are built on a scratch
    // data directory, never on the user's (which may not exist yet, or belong to a running server
    // whose sandboxes reconciling would touch).
    auto scratch = ScratchDirectory::create("benchtop-tools-");
    if (!scratch) return scratch.take_error();
    services.scratch.emplace(std::move(scratch).value());
    services.data_dir = DataDir(services.scratch->path().string());
  } else if (!options.data_dir.empty()) {
    services.data_dir = DataDir(options.data_dir);
  } else {
    auto location = DataDir::default_location();
    if (!location) return location.take_error();
    services.data_dir = std::move(location).value();
  }
  if (auto created = services.data_dir.create(); !created) return created.take_error();

  auto database = Database::open(services.data_dir.database_file(), benchtop_migrations());
  if (!database) return database.take_error();
  services.database = std::move(database).value();
  services.repositories = make_sqlite_repositories(*services.database);
  services.workspace_disk = make_workspace_disk(services.data_dir.disks_dir(),
                                                static_cast<int64_t>(options.workspace_disk_mb));
  log::info(services.workspace_disk->describe());
  services.projects = std::make_unique<ProjectService>(*services.repositories.projects,
                                                       services.data_dir.workspaces_dir(),
                                                       services.workspace_disk.get());
  if (const size_t removed = services.projects->remove_leftover_deletions()) {
    log::info("removed " + std::to_string(removed) + " workspace(s) of interrupted deletions");
  }
  for (const auto& failure : services.projects->attach_disks()) {
    log::warning(failure.message + "; its workspace has no disk cap until this is fixed");
  }

  CheckpointOptions checkpoints;
  checkpoints.enabled = options.checkpoints_kept > 0;
  checkpoints.keep = options.checkpoints_kept;
  checkpoints.max_store_bytes = static_cast<uint64_t>(options.checkpoint_store_mb) << 20;
  services.checkpoints = std::make_unique<CheckpointRecorder>(
      *services.repositories.checkpoints, services.data_dir.root() / "checkpoints", checkpoints);
  services.projects->add_removal_hook(
      [recorder = services.checkpoints.get()](const Project& p) { recorder->forget(p.id); });
  services.tools.set_call_wrapper(record_checkpoints(*services.checkpoints, *services.projects));

  for (const auto& root : options.roots) {
    auto project = services.projects->register_root(root);
    if (!project) return Error::make("--root " + root + ": " + project.error().message);
    log::info("project '" + project->name + "' is " + root);
  }

  auto git_policy = options.git_protocols.empty()
                        ? Result<git::TransportPolicy>(git::TransportPolicy::defaults())
                        : git::TransportPolicy::parse(options.git_protocols);
  if (!git_policy) return Error::make("--git-protocols: " + git_policy.error().message);
  log::info("git remotes may use: " + git_policy->describe());
  services.tools.set_error_filter(host_path_filter(*services.projects, services.data_dir.root()));
  services.git_settings = std::make_unique<git::ProjectGitSettings>(
      *services.repositories.git_settings, *services.projects);
  {
    ToolRegistry::ToolsetScope family(services.tools, "projects");
    register_project_tools(services.tools, *services.projects, *services.git_settings, *git_policy);
  }
  {
    ToolRegistry::ToolsetScope family(services.tools, "fs");
    register_fs_tools(services.tools, *services.projects);
  }
  {
    ToolRegistry::ToolsetScope family(services.tools, "search");
    register_search_tools(services.tools, *services.projects);
  }
  {
    ToolRegistry::ToolsetScope family(services.tools, "checkpoints");
    register_checkpoint_tools(services.tools, *services.projects, *services.checkpoints);
  }

  BwrapOptions bwrap;
  if (options.sandbox_uid != 0) {
    bwrap.host_uid = static_cast<uid_t>(options.sandbox_uid);
    bwrap.host_gid = static_cast<gid_t>(options.sandbox_gid);
  }
  // ctags parses project content, so it runs confined, as the sandboxes' identity.
  ConfinedHelperOptions helpers;
  helpers.host_uid = bwrap.host_uid;
  helpers.host_gid = bwrap.host_gid;
  services.helpers = std::make_unique<ConfinedHelper>(helpers);
  services.ctags = std::make_unique<Ctags>(*services.helpers);
  {
    // Reading code by symbol is part of finding one's way: the search family.
    ToolRegistry::ToolsetScope family(services.tools, "search");
    register_code_tools(services.tools, *services.projects, *services.ctags);
  }
  SupervisedOptions supervised;
  supervised.state_root = services.data_dir.root() / "sandboxes";
  // Every project's cgroup is made under this one.
  const std::string cgroup_parent = "benchtop";
  auto backend = make_container_backend(options.sandbox, options.allow_unsandboxed, cgroup_parent,
                                        options.podman_image, bwrap, options.allow_sandbox_network,
                                        supervised);
  if (!backend) return Error::make("--sandbox " + options.sandbox + ": " + backend.error().message);
  for (const std::string& warning : unenforced_limit_warnings(
           probe_host_limits(options.sandbox, CgroupHost::detect(), cgroup_parent,
                             services.workspace_disk->unenforced_cap()))) {
    log::warning(warning);
  }
  ContainerManagerOptions container_options;
  container_options.default_limits.memory_bytes =
      static_cast<int64_t>(options.container_memory_mb) * 1024 * 1024;
  container_options.default_limits.pids = static_cast<int64_t>(options.container_pids);
  container_options.default_limits.cpu_millis = static_cast<int64_t>(options.container_millicpus);
  container_options.idle_suspend = std::chrono::seconds(options.container_idle_seconds);
  container_options.exec_enabled = !options.disable_exec;
  container_options.allow_network = options.allow_sandbox_network;
  container_options.disk = services.workspace_disk.get();
  services.containers = std::make_unique<ContainerManager>(
      *services.repositories.containers, std::move(backend).value(),
      project_resolver(*services.projects), container_options);
  services.projects->add_removal_hook([containers = services.containers.get()](const Project& p) {
    if (auto destroyed = containers->remove(p.id); !destroyed) {
      log::warning("project '" + p.name +
                   "': its dev container could not be removed: " + destroyed.error().message);
    }
  });
  if (auto reconciled = services.containers->reconcile(); !reconciled) {
    return reconciled.take_error();
  }
  if (options.disable_exec) log::warning("command execution is disabled (--disable-exec)");
  services.preview_links = std::make_unique<PreviewLinks>();
  // Asks only the sandboxes of projects someone watches (a chat run, a resource subscription);
  // asking neither wakes a sandbox nor counts as its activity.
  services.port_watch = std::make_unique<PortWatch>(
      [containers = services.containers.get()](const std::string& project_id) {
        return containers->listening_ports(project_id);
      },
      std::chrono::seconds(1));
  {
    ToolRegistry::ToolsetScope family(services.tools, "exec");
    register_exec_tools(services.tools, *services.containers, services.preview_links.get());
  }
  {
    ToolRegistry::ToolsetScope family(services.tools, "git");
    register_git_tools(services.tools, *services.projects, *services.git_settings, *git_policy);
  }
  services.test_runs = std::make_unique<test_runs::ProjectTestRunStore>(
      *services.repositories.test_runs, *services.projects);
  // Tests run in the project's dev container, like every other command.
  {
    ToolRegistry::ToolsetScope family(services.tools, "tests");
    register_test_tools(services.tools, *services.projects, *services.containers,
                        *services.test_runs);
    // Checking code is the quick half of testing it, and runs in the same sandbox.
    services.tools.add(code_check_tool(*services.projects, *services.containers));
  }
  services.file_watcher = std::make_unique<FileWatcher>();
  register_project_resources(services.resources, *services.projects, services.file_watcher.get());
  register_preview_resources(services.resources, *services.projects, *services.port_watch,
                             *services.preview_links);
  register_project_prompts(services.prompts, *services.projects);
  services.chat = make_chat_service(options, services);
  services.chat->set_previews(
      {.ports = services.port_watch.get(),
       .links = services.preview_links.get(),
       .project_id = [projects = services.projects.get()](
                         const std::string& project) -> std::optional<std::string> {
         auto found = projects->get(project);
         if (!found) return std::nullopt;
         return found->id;
       }});
  {
    ToolRegistry::ToolsetScope family(services.tools, "agent");
    register_agent_tools(services.tools, *services.chat);
  }
  return select_tools(options, services);
}

std::function<std::string(const std::string& tool, const nlohmann::json& arguments)>
project_of_call(const Services& services) {
  return [&services](const std::string& tool, const nlohmann::json& arguments) -> std::string {
    const nlohmann::json* schema = services.tools.input_schema(tool);
    if (!schema || !schema->contains("properties") || !(*schema)["properties"].is_object() ||
        !(*schema)["properties"].contains("project")) {
      return {};  // e.g. project_create: the client and total caps still apply
    }
    auto named = arguments.find("project");
    std::optional<std::string> project;
    if (named != arguments.end() && named->is_string()) project = named->get<std::string>();
    if (services.projects) {
      if (auto resolved = services.projects->resolve(project); resolved) return resolved->id;
    }
    // An unknown project: the call fails at once, so any key will do.
    return project.value_or("");
  };
}

}  // namespace benchtop
