// The built-in agent as a service: chat threads bound to a project, runs of the agent loop on
// them (at most one per thread, each on its own thread, persisted message by message), and
// one-shot runs for the agent_run tool. Shared by the chat HTTP API, the MCP tool and the CLI.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/agent/agent_loop.h"
#include "server/agent/llm_client.h"
#include "server/chat/chat_run.h"
#include "server/chat/chat_store.h"
#include "server/mcp/registry/tool_registry.h"
#include "server/preview/port_watch.h"
#include "server/preview/preview_links.h"
#include "server/workspace/workspace_provider.h"

namespace benchtop {

// What a run needs to announce live previews: while it goes on, every port that opens in its
// project's sandbox becomes a {"type":"preview_ready","port":N,"url":"..."} event (no url while
// `links` is not serving).
struct ChatPreviews {
  PortWatch* ports = nullptr;  // null: no previews are announced
  const PreviewLinks* links = nullptr;
  // The id of a thread's project, which the thread names as it was created (an id or a name);
  // nullopt when there is no such project.
  std::function<std::optional<std::string>(const std::string& project)> project_id;
};

class ChatService {
 public:
  // `llm_unavailable` says why the agent cannot run (no model configured), if it cannot. All
  // references must outlive the service.
  ChatService(ThreadRepository& threads, const ToolRegistry& tools, WorkspaceProvider& projects,
              std::unique_ptr<LlmClient> llm, std::optional<std::string> llm_unavailable,
              AgentOptions options);
  // Cancels every run and waits for them to end.
  ~ChatService();
  ChatService(const ChatService&) = delete;
  ChatService& operator=(const ChatService&) = delete;

  ChatStore& store() { return store_; }

  // Cancels every run and refuses new ones (server shutdown), without waiting.
  void shutdown();

  // Runs started from now on announce previews; what it points to must outlive the service.
  void set_previews(ChatPreviews previews);

  // A new thread on `project` (which must exist).
  Result<ChatThread> create_thread(const std::string& project, const std::string& title);
  // Cancels a running run first. Code "not_found" when there is no such thread.
  Status delete_thread(const std::string& id);

  // Starts the agent on `thread_id` with the user's `content`. Codes: "not_found", "busy" (a run
  // is in progress on the thread), "llm_not_configured", "invalid" (empty content).
  Result<std::shared_ptr<ChatRun>> start(const std::string& thread_id, const std::string& content,
                                         std::optional<int> max_rounds = std::nullopt);
  // The thread's current run, or its last one while that is remembered (for re-attaching).
  std::shared_ptr<ChatRun> latest_run(const std::string& thread_id) const;
  bool running(const std::string& thread_id) const;
  // false when nothing was running.
  bool cancel(const std::string& thread_id);

  // Runs the agent once on `project` without a thread (the agent_run tool), on the caller's thread.
  Result<AgentRunOutcome> run_once(const std::string& project, const std::string& prompt,
                                   std::optional<int> max_rounds, const AgentCallbacks& callbacks,
                                   const CancellationToken& cancel);

  const std::optional<std::string>& llm_unavailable() const { return llm_unavailable_; }

  // How long a finished run's events stay for a page that re-attaches (its messages are in the
  // store for good); older finished runs are dropped when the next run starts, so the server's
  // memory does not grow with every run it ever made.
  void set_finished_run_retention(std::chrono::milliseconds retention) {
    finished_run_retention_ = retention;
  }

 private:
  struct Slot {
    std::shared_ptr<ChatRun> run;
    std::thread worker;
  };
  // The project's AGENTS.md (and CLAUDE.md) for the system prompt; empty without them.
  std::string instructions_of(const std::string& project);
  void execute(const ChatThread& thread, std::vector<ChatMessage> history, std::string content,
               std::optional<int> max_rounds, const std::shared_ptr<ChatRun>& run);

  ChatStore store_;
  WorkspaceProvider& projects_;
  std::unique_ptr<LlmClient> llm_;
  std::optional<std::string> llm_unavailable_;
  AgentLoop loop_;
  ChatPreviews previews_;  // under mutex_ (copied for each run)

  mutable std::mutex mutex_;
  std::map<std::string, Slot> slots_;  // by thread id
  bool shutting_down_ = false;
  std::chrono::milliseconds finished_run_retention_ = std::chrono::minutes(10);
};

}  // namespace benchtop
