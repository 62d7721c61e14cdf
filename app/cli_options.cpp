#include "app/cli_options.h"

#include <cstdlib>
#include <string_view>

namespace benchtop {
namespace {

std::optional<size_t> parse_size(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (SIZE_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  return value;
}

}  // namespace

std::string usage() {
  return R"(benchtop - an MCP server that gives an agent a real workbench: projects, files, git, tests

Usage:
  benchtop stdio [options]      serve MCP over stdin/stdout (for editors and desktop clients)
  benchtop serve [options]      serve MCP over Streamable HTTP at http://HOST:PORT/mcp
  benchtop tools [options]      print the tools (as tools/list returns them) after checking
                                every schema; exits 1 if one is invalid. Writes nothing to the
                                data directory (it works on a temporary one)
  benchtop chat --project P "PROMPT" [options]
                                run the built-in agent once on project P, printing its answer
                                and tool steps as they stream (the thread is kept in the store)
  benchtop --help | --version

Options:
  --root DIR               register an existing directory as a project and make it the default
                           project (repeatable; the last one is the default). Never deleted.
  --data-dir DIR           state directory (SQLite database + workspaces/); default
                           $BENCHTOP_DATA_DIR, else $XDG_DATA_HOME/benchtop, else
                           ~/.local/share/benchtop
  --listen HOST:PORT       HTTP address (serve); default 127.0.0.1:8765; port 0 picks a free port.
                           Binding beyond loopback requires --token.
  --token TOKEN            require "Authorization: Bearer TOKEN" on every HTTP request
                           (default $BENCHTOP_TOKEN)
  --allowed-origin ORIGIN  also accept browser requests from ORIGIN, e.g. https://app.example
                           (repeatable; loopback origins are always accepted on a loopback bind)
  --allowed-host HOST      also accept this Host header value (repeatable; for a non-loopback bind
                           behind a name)
  --max-message-bytes N    largest accepted JSON-RPC message (default 16777216)
  --workers N              threads running quick tool calls (default: 2 x cores, at least 4)
  --max-queued-calls N     quick calls that may wait for a thread; more are refused with a
                           "server busy, retry" result (default 1024)
  --http-threads N         most HTTP requests handled at once; each open SSE stream holds one
                           (default 128)
  --http-max-connections N open HTTP connections at most, in total (default 512)
  --http-max-connections-per-client N
                           open HTTP connections at most per client address (default 64)
  --session-idle-timeout S seconds before an idle 2025-revision HTTP session expires (default 1800)
  --session-handshake-timeout S  seconds before a session whose client never finished the
                           handshake (notifications/initialized) expires (default 60)
  --max-sessions N         2025-revision HTTP sessions at once; when full, the least recently
                           used idle one is evicted (default 10000)
  --long-workers N         threads for long-running tools: shell_exec, test_run, agent_run,
                           every git_* tool, project_create (default 16)
  --max-long-calls-per-project N  long-running calls at once in one project (default 4)
  --max-long-calls-per-client N   long-running calls at once for one client: a 2025 session,
                           a stdio connection, or a peer address for 2026-07-28 (default 8)
  --log-level LEVEL        debug | info | warning | error (default info); logs go to stderr
  --git-protocols LIST     transports git remotes may use, from https,ssh,http,git,file
                           (default: https, and ssh when libgit2 has it; never ext::)

Tools offered (left-out tools are absent from tools/list, not merely refused):
  --toolsets LIST          families to offer, from projects,fs,search,exec,git,tests,agent,
                           checkpoints (default: all)
  --tools LIST             tools to offer by name, besides the families' (alone: only these)
  --exclude-tools LIST     tools never to offer
  --read-only              only tools that change nothing (annotated read-only)
  With one --root and without the projects family, no tool takes a `project` argument.

Dev containers (shell_exec, process_*):
  --sandbox KIND           bwrap (default: bubblewrap namespaces + cgroup limits) | none (no
                           isolation; needs --allow-unsandboxed) | podman (needs --podman-image)
  --allow-unsandboxed      confirm --sandbox none
  --sandbox-uid UID[:GID]  when benchtop runs as root, the unprivileged host user (and group) that
                           bwrap sandboxes run as (default 2000000000; never 0)
  --allow-sandbox-network  let devcontainer_ensure enable network for a project once the user
                           confirms (user-mode networking via pasta in the sandbox's own network
                           namespace; the host's own addresses stay unreachable; needs root for
                           the nftables guard). Default: no sandbox has network
  --podman-image IMAGE     image, or absolute root filesystem directory, for --sandbox podman
  --disable-exec           start with the exec kill switch on: the tools that run commands
                           (shell_exec, process_start, process_write, test_run) are withdrawn
  --admin-token TOKEN      enables POST/GET /admin/exec (kill switch) for requests carrying
                           X-Benchtop-Admin-Token: TOKEN (default $BENCHTOP_ADMIN_TOKEN)
  --container-idle-timeout S  seconds before an idle container is suspended (default 1800; 0 never)
  --container-memory-mb N  default memory limit per project (default 1024)
  --container-pids N       default process limit per project (default 256)
  --container-cpus N       default CPU quota per project, e.g. 0.5 or 2 (default 1)
                           (these three are also the most devcontainer_ensure may ask for)
  --workspace-disk-mb N    disk space of each new managed workspace, enforced by the kernel as a
                           sparse ext4 image mounted on it (needs root; default 10240; 0 none)
  --checkpoints N          tool calls whose file changes are kept per project, for
                           checkpoint_list/checkpoint_restore (default 100; 0 records none)
  --checkpoint-store-mb N  file contents kept for checkpoints per project (default 512)
Built-in agent (chat page at http://HOST:PORT/, the agent_run tool, `benchtop chat`):
  the model is read from BENCHTOP_LLM_BASE_URL, BENCHTOP_LLM_API_KEY and BENCHTOP_LLM_MODEL
  (falling back to OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL).
  --llm-temperature T      sampling temperature (default: the provider's)
  --llm-max-tokens N       most tokens per model answer (default: the provider's)
  --llm-timeout S          seconds without data before a model request fails (default 120)
  --llm-retries N          retries on 429/5xx/connection failures, with backoff (default 3)
  --agent-max-rounds N     model turns per run (default 25)
  --agent-time-limit S     wall-clock seconds per run (default 900)
  --project P              (chat) the project to work on, by id or name
)";
}

Result<CliOptions> parse_cli(int argc, char** argv) {
  CliOptions options;
  if (const char* token = std::getenv("BENCHTOP_TOKEN")) options.token = token;
  if (const char* dir = std::getenv("BENCHTOP_DATA_DIR")) options.data_dir = dir;
  if (const char* admin = std::getenv("BENCHTOP_ADMIN_TOKEN")) options.admin_token = admin;
  if (argc < 2) return options;

  int i = 1;
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") return options;
  if (first == "--version" || first == "-V") {
    options.command = Command::kVersion;
    return options;
  }
  if (first == "stdio") {
    options.command = Command::kStdio;
  } else if (first == "serve") {
    options.command = Command::kServe;
  } else if (first == "tools") {
    options.command = Command::kTools;
  } else if (first == "chat") {
    options.command = Command::kChat;
  } else {
    return Error::make("unknown command '" + std::string(first) + "' (try --help)");
  }
  ++i;

  auto value_of = [&](std::string_view flag) -> Result<std::string> {
    if (i + 1 >= argc) return Error::make(std::string(flag) + " needs a value");
    return std::string(argv[++i]);
  };
  for (; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto read_size = [&](size_t& target) -> Status {
      auto text = value_of(flag);
      if (!text) return text.take_error();
      auto number = parse_size(*text);
      if (!number) return Error::make(std::string(flag) + " needs a non-negative integer");
      target = *number;
      return {};
    };
    auto read_string = [&](std::string& target) -> Status {
      auto text = value_of(flag);
      if (!text) return text.take_error();
      target = std::move(text).value();
      return {};
    };
    auto read_list = [&](std::vector<std::string>& target) -> Status {
      std::string item;
      if (auto status = read_string(item); !status) return status;
      target.push_back(std::move(item));
      return {};
    };
    Status status;
    if (flag == "--help" || flag == "-h") {
      options.command = Command::kHelp;
      return options;
    } else if (flag == "--root") {
      status = read_list(options.roots);
    } else if (flag == "--data-dir") {
      status = read_string(options.data_dir);
    } else if (flag == "--listen") {
      status = read_string(options.listen);
    } else if (flag == "--token") {
      status = read_string(options.token);
    } else if (flag == "--allowed-origin") {
      status = read_list(options.allowed_origins);
    } else if (flag == "--allowed-host") {
      status = read_list(options.allowed_hosts);
    } else if (flag == "--max-message-bytes") {
      status = read_size(options.max_message_bytes);
    } else if (flag == "--workers") {
      status = read_size(options.workers);
    } else if (flag == "--max-queued-calls") {
      status = read_size(options.max_queued_calls);
      if (status && options.max_queued_calls == 0) {
        status = Error::make("--max-queued-calls needs a positive number");
      }
    } else if (flag == "--http-threads") {
      status = read_size(options.http_threads);
    } else if (flag == "--http-max-connections") {
      status = read_size(options.http_max_connections);
    } else if (flag == "--http-max-connections-per-client") {
      status = read_size(options.http_max_connections_per_client);
    } else if (flag == "--session-idle-timeout") {
      status = read_size(options.session_idle_seconds);
    } else if (flag == "--session-handshake-timeout") {
      status = read_size(options.session_handshake_seconds);
    } else if (flag == "--max-sessions") {
      status = read_size(options.max_sessions);
    } else if (flag == "--long-workers") {
      status = read_size(options.long_workers);
    } else if (flag == "--max-long-calls-per-project") {
      status = read_size(options.long_calls_per_project);
    } else if (flag == "--max-long-calls-per-client") {
      status = read_size(options.long_calls_per_client);
    } else if (flag == "--log-level") {
      status = read_string(options.log_level);
    } else if (flag == "--sandbox") {
      status = read_string(options.sandbox);
    } else if (flag == "--podman-image") {
      status = read_string(options.podman_image);
    } else if (flag == "--git-protocols") {
      status = read_string(options.git_protocols);
    } else if (flag == "--sandbox-uid") {
      std::string text;
      status = read_string(text);
      const auto colon = text.find(':');
      const auto uid = parse_size(text.substr(0, colon));
      const auto gid = colon == std::string::npos ? uid : parse_size(text.substr(colon + 1));
      if (status &&
          (!uid || !gid || *uid == 0 || *gid == 0 || *uid >= 0xffffffff || *gid >= 0xffffffff)) {
        status = Error::make("--sandbox-uid needs UID or UID:GID, not 0 (root), e.g. 2000000000");
      } else if (status) {
        options.sandbox_uid = *uid;
        options.sandbox_gid = *gid;
      }
    } else if (flag == "--allow-unsandboxed") {
      options.allow_unsandboxed = true;
    } else if (flag == "--allow-sandbox-network") {
      options.allow_sandbox_network = true;
    } else if (flag == "--disable-exec") {
      options.disable_exec = true;
    } else if (flag == "--read-only") {
      options.tool_selection.read_only = true;
    } else if (flag == "--toolsets" || flag == "--tools" || flag == "--exclude-tools") {
      std::string text;
      status = read_string(text);
      if (status) {
        auto names = parse_name_list(flag, text);
        if (!names) {
          status = names.error();
        } else if (flag == "--toolsets") {
          options.tool_selection.toolsets = std::move(*names);
        } else if (flag == "--tools") {
          options.tool_selection.tools = std::move(*names);
        } else {
          options.tool_selection.excluded = std::move(*names);
        }
      }
    } else if (flag == "--admin-token") {
      status = read_string(options.admin_token);
    } else if (flag == "--container-idle-timeout") {
      status = read_size(options.container_idle_seconds);
    } else if (flag == "--container-memory-mb") {
      status = read_size(options.container_memory_mb);
    } else if (flag == "--workspace-disk-mb") {
      status = read_size(options.workspace_disk_mb);
      if (status && options.workspace_disk_mb != 0 && options.workspace_disk_mb < 16) {
        status = Error::make("--workspace-disk-mb needs 0 (no cap) or at least 16");
      }
    } else if (flag == "--checkpoints") {
      status = read_size(options.checkpoints_kept);
    } else if (flag == "--checkpoint-store-mb") {
      status = read_size(options.checkpoint_store_mb);
    } else if (flag == "--container-pids") {
      status = read_size(options.container_pids);
    } else if (flag == "--container-cpus") {
      std::string text;
      status = read_string(text);
      if (status) {
        char* end = nullptr;
        const double cpus = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(cpus > 0) || cpus > 1024) {
          status = Error::make("--container-cpus needs a positive number, e.g. 0.5 or 2");
        } else {
          options.container_millicpus = static_cast<size_t>(cpus * 1000);
        }
      }
    } else if (flag == "--llm-temperature") {
      auto text = value_of(flag);
      if (!text) return text.take_error();
      char* end = nullptr;
      const double value = std::strtod(text->c_str(), &end);
      if (text->empty() || *end != '\0' || value < 0 || value > 2) {
        return Error::make("--llm-temperature needs a number from 0 to 2");
      }
      options.llm_temperature = value;
    } else if (flag == "--llm-max-tokens") {
      size_t value = 0;
      status = read_size(value);
      if (status && (value == 0 || value > 1'000'000)) {
        return Error::make("--llm-max-tokens needs an integer from 1 to 1000000");
      }
      options.llm_max_tokens = static_cast<int>(value);
    } else if (flag == "--llm-timeout") {
      status = read_size(options.llm_timeout_seconds);
    } else if (flag == "--llm-retries") {
      status = read_size(options.llm_retries);
    } else if (flag == "--agent-max-rounds") {
      status = read_size(options.agent_max_rounds);
    } else if (flag == "--agent-time-limit") {
      status = read_size(options.agent_time_limit_seconds);
    } else if (flag == "--project" && options.command == Command::kChat) {
      status = read_string(options.chat_project);
    } else if (options.command == Command::kChat && !flag.empty() && flag.front() != '-' &&
               options.chat_prompt.empty()) {
      options.chat_prompt = std::string(flag);
    } else {
      return Error::make("unknown option '" + std::string(flag) + "' (try --help)");
    }
    if (!status) return status.take_error();
  }
  if (options.max_message_bytes < 1024) return Error::make("--max-message-bytes must be >= 1024");
  if (options.http_threads < 4) return Error::make("--http-threads must be >= 4");
  if (options.http_max_connections < 1 || options.http_max_connections_per_client < 1) {
    return Error::make("--http-max-connections and --http-max-connections-per-client must be >= 1");
  }
  if (options.max_sessions < 1) return Error::make("--max-sessions must be >= 1");
  if (options.long_workers < 1 || options.long_calls_per_project < 1 ||
      options.long_calls_per_client < 1) {
    return Error::make("--long-workers and --max-long-calls-per-* must be >= 1");
  }
  if (options.agent_max_rounds < 1) return Error::make("--agent-max-rounds must be >= 1");
  if (options.llm_timeout_seconds < 1) return Error::make("--llm-timeout must be >= 1");
  if (options.command == Command::kChat) {
    if (options.chat_project.empty()) return Error::make("chat needs --project P");
    if (options.chat_prompt.empty())
      return Error::make("chat needs a prompt, e.g. benchtop chat --project P \"list the files\"");
  }
  return options;
}

}  // namespace benchtop
