// Command-line flags of the benchtop executable.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/mcp/registry/tool_selection.h"

namespace benchtop {

enum class Command { kHelp, kVersion, kStdio, kServe, kTools, kChat };

struct CliOptions {
  Command command = Command::kHelp;
  std::vector<std::string> roots;  // --root: existing directories registered as projects
  std::string data_dir;            // --data-dir, else $BENCHTOP_DATA_DIR, else XDG default
  std::string listen = "127.0.0.1:8765";
  std::string token;                         // --token, else $BENCHTOP_TOKEN
  std::vector<std::string> allowed_origins;  // --allowed-origin
  std::vector<std::string> allowed_hosts;    // --allowed-host
  size_t max_message_bytes = 16 * 1024 * 1024;
  size_t workers = 0;              // 0: chosen from the core count
  size_t max_queued_calls = 1024;  // --max-queued-calls: quick calls waiting; beyond it "busy"
  size_t http_threads = 128;
  size_t http_max_connections = 512;
  size_t http_max_connections_per_client = 64;
  size_t session_idle_seconds = 30 * 60;
  size_t session_handshake_seconds = 60;  // unfinished 2025 handshakes expire after this
  size_t max_sessions = 10000;            // 2025 HTTP sessions; a full table evicts idle ones
  // Long-running tools (shell_exec, test_run, agent_run, git_fetch/pull/push, project_create)
  // run on a pool of their own, within these caps.
  size_t long_workers = 16;
  size_t long_calls_per_project = 4;
  size_t long_calls_per_client = 8;
  std::string log_level = "info";
  // Dev containers and the exec kill switch.
  std::string sandbox = "bwrap";   // --sandbox: bwrap | podman | none
  bool allow_unsandboxed = false;  // --allow-unsandboxed: required with --sandbox none
  // --allow-sandbox-network: devcontainer_ensure may enable network (with the user's consent).
  bool allow_sandbox_network = false;
  std::string podman_image;   // --podman-image: image or absolute rootfs dir (--sandbox podman)
  std::string git_protocols;  // --git-protocols: allowed git transports; "" = the default
  // --sandbox-uid UID[:GID]: the host identity of bwrap sandboxes when running as root (0: the
  // backend's default).
  size_t sandbox_uid = 0;
  size_t sandbox_gid = 0;
  bool disable_exec = false;  // --disable-exec: start with the kill switch on
  // --toolsets, --tools, --exclude-tools, --read-only: which tools are offered at all.
  ToolSelection tool_selection;
  std::string admin_token;                  // --admin-token, else $BENCHTOP_ADMIN_TOKEN
  size_t container_idle_seconds = 30 * 60;  // 0: never suspend
  size_t container_memory_mb = 1024;
  size_t container_pids = 256;
  size_t container_millicpus = 1000;
  // --workspace-disk-mb: each new managed workspace's disk cap (0: none;
  // server/sandbox/workspace_disk.h).
  size_t workspace_disk_mb = 10240;
  size_t checkpoints_kept = 100;     // per project; 0: checkpoints off
  size_t checkpoint_store_mb = 512;  // contents kept per project

  // The built-in agent (serve's chat API, the agent_run tool, `benchtop chat`). The model's
  // address, key and name come from the environment (BENCHTOP_LLM_*), never from flags, so the
  // key does not show in process listings.
  std::optional<double> llm_temperature;  // --llm-temperature
  std::optional<int> llm_max_tokens;      // --llm-max-tokens
  size_t llm_timeout_seconds = 120;       // --llm-timeout
  size_t llm_retries = 3;                 // --llm-retries
  size_t agent_max_rounds = 25;           // --agent-max-rounds
  size_t agent_time_limit_seconds = 900;  // --agent-time-limit
  std::string chat_project;               // chat --project
  std::string chat_prompt;                // chat "PROMPT"
};

Result<CliOptions> parse_cli(int argc, char** argv);
std::string usage();

}  // namespace benchtop
