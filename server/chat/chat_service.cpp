#include "server/chat/chat_service.h"

#include "common/log.h"
#include "common/utf8.h"
#include "server/workspace/project_instructions.h"

namespace benchtop {
namespace {

// A thread's title from its first message: the first line, cut at a word near 60 characters.
std::string title_from(const std::string& content) {
  std::string line = content.substr(0, content.find('\n'));
  if (line.size() > 60) {
    line = line.substr(0, utf8_floor(line, 60));
    if (const size_t space = line.rfind(' '); space != std::string::npos && space > 30) {
      line.resize(space);
    }
    line += "…";
  }
  return line;
}

// Publishes a run's preview_ready events for as long as it lives (the scope of the run). Once it
// is destroyed, no event follows, even from a port watch callback that was already under way.
class PreviewAnnouncer {
 public:
  PreviewAnnouncer(const ChatPreviews& previews, const std::string& project,
                   const std::shared_ptr<ChatRun>& run) {
    if (!previews.ports || !previews.project_id) return;
    const auto project_id = previews.project_id(project);
    if (!project_id) return;
    gate_->run = run;
    subscription_ = previews.ports->subscribe(
        *project_id, [gate = gate_, links = previews.links, id = *project_id](
                         const PortWatch::Ports& opened, const PortWatch::Ports&) {
          std::lock_guard lock(gate->mutex);
          if (!gate->run) return;
          for (int port : opened) {
            nlohmann::json event = {{"type", "preview_ready"}, {"port", port}};
            if (links && port > 0 && port <= 65535) {
              if (auto url = links->url(PreviewAddress{id, static_cast<uint16_t>(port)})) {
                event["url"] = *url;
              }
            }
            gate->run->publish(std::move(event));
          }
        });
  }
  ~PreviewAnnouncer() {
    subscription_.reset();
    std::lock_guard lock(gate_->mutex);  // waits for a callback under way
    gate_->run.reset();
  }
  PreviewAnnouncer(const PreviewAnnouncer&) = delete;
  PreviewAnnouncer& operator=(const PreviewAnnouncer&) = delete;

 private:
  struct Gate {
    std::mutex mutex;
    std::shared_ptr<ChatRun> run;  // null once the run's scope has ended
  };
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  PortWatch::Subscription subscription_;
};

}  // namespace

ChatService::ChatService(ThreadRepository& threads, const ToolRegistry& tools,
                         WorkspaceProvider& projects, std::unique_ptr<LlmClient> llm,
                         std::optional<std::string> llm_unavailable, AgentOptions options)
    : store_(threads),
      projects_(projects),
      llm_(std::move(llm)),
      llm_unavailable_(std::move(llm_unavailable)),
      loop_(tools, *llm_, options) {}

ChatService::~ChatService() {
  std::map<std::string, Slot> slots;
  {
    std::lock_guard lock(mutex_);
    slots.swap(slots_);
  }
  for (auto& [id, slot] : slots) slot.run->cancel();
  for (auto& [id, slot] : slots) {
    if (slot.worker.joinable()) slot.worker.join();
  }
}

void ChatService::shutdown() {
  std::lock_guard lock(mutex_);
  shutting_down_ = true;
  for (auto& [id, slot] : slots_) slot.run->cancel();
}

void ChatService::set_previews(ChatPreviews previews) {
  std::lock_guard lock(mutex_);
  previews_ = std::move(previews);
}

Result<ChatThread> ChatService::create_thread(const std::string& project,
                                              const std::string& title) {
  if (project.empty())
    return Error::make("`project` is required (a project id or name)", "invalid");
  if (auto workspace = projects_.workspace(project); !workspace) return workspace.take_error();
  return store_.create_thread(project, title);
}

Status ChatService::delete_thread(const std::string& id) {
  Slot slot;
  {
    std::lock_guard lock(mutex_);
    if (auto it = slots_.find(id); it != slots_.end()) {
      slot = std::move(it->second);
      slots_.erase(it);
    }
  }
  if (slot.run) slot.run->cancel();
  if (slot.worker.joinable()) slot.worker.join();
  return store_.delete_thread(id);
}

Result<std::shared_ptr<ChatRun>> ChatService::start(const std::string& thread_id,
                                                    const std::string& content,
                                                    std::optional<int> max_rounds) {
  if (content.empty()) return Error::make("`content` must be a non-empty string", "invalid");
  if (llm_unavailable_) return Error::make(*llm_unavailable_, "llm_not_configured");
  auto thread = store_.get_thread(thread_id);
  if (!thread) return thread.take_error();
  auto stored = store_.messages(thread_id);
  if (!stored) return stored.take_error();
  std::vector<ChatMessage> history;
  for (auto& message : *stored) history.push_back(std::move(message.message));
  if (thread->title.empty()) {
    if (auto titled = store_.set_title(thread_id, title_from(content)); !titled) {
      log::warning("chat: cannot set a thread title: " + titled.error().message);
    }
  }

  auto run = std::make_shared<ChatRun>();
  std::thread finished_worker;
  std::vector<std::thread> pruned_workers;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return Error::make("the server is shutting down", "busy");
    const auto now = std::chrono::steady_clock::now();
    for (auto it = slots_.begin(); it != slots_.end();) {
      const auto finished_at = it->second.run ? it->second.run->finished_at() : std::nullopt;
      if (it->first != thread_id && finished_at && now - *finished_at >= finished_run_retention_) {
        pruned_workers.push_back(std::move(it->second.worker));
        it = slots_.erase(it);
      } else {
        ++it;
      }
    }
    Slot& slot = slots_[thread_id];
    if (slot.run && !slot.run->finished()) {
      return Error::make("a run is already in progress on this thread; wait for it or cancel it",
                         "busy");
    }
    finished_worker = std::move(slot.worker);
    slot.run = run;
    slot.worker =
        std::thread([this, thread = std::move(thread).value(), history = std::move(history),
                     content = std::string(content), max_rounds, run]() mutable {
          execute(thread, std::move(history), std::move(content), max_rounds, run);
        });
  }
  // The previous run on this thread, and the pruned ones, have finished (their workers are ending
  // or ended).
  if (finished_worker.joinable()) finished_worker.join();
  for (auto& worker : pruned_workers) {
    if (worker.joinable()) worker.join();
  }
  return run;
}

void ChatService::execute(const ChatThread& thread, std::vector<ChatMessage> history,
                          std::string content, std::optional<int> max_rounds,
                          const std::shared_ptr<ChatRun>& run) {
  ChatPreviews previews;
  {
    std::lock_guard lock(mutex_);
    previews = previews_;
  }
  try {
    // Ends, with the try block, before the run is finished: no preview_ready follows its end.
    const PreviewAnnouncer announcer(previews, thread.project, run);
    AgentCallbacks callbacks;
    callbacks.on_event = [&run](const nlohmann::json& event) { run->publish(event); };
    callbacks.on_message = [this, &thread](const ChatMessage& message) {
      if (auto saved = store_.append(thread.id, message); !saved) {
        log::warning("chat: cannot save a message of thread " + thread.id + ": " +
                     saved.error().message);
      }
    };
    AgentRunRequest request;
    request.project = thread.project;
    request.project_instructions = instructions_of(thread.project);
    request.history = std::move(history);
    request.prompt = std::move(content);
    request.max_rounds = max_rounds;
    loop_.run(request, callbacks, run->token());
  } catch (const std::exception& e) {
    run->publish({{"type", "error"}, {"error", std::string("internal error: ") + e.what()}});
  }
  run->finish();
}

std::string ChatService::instructions_of(const std::string& project) {
  auto workspace = projects_.workspace(project);
  if (!workspace) return "";
  return instructions_prompt(read_project_instructions(**workspace));
}

std::shared_ptr<ChatRun> ChatService::latest_run(const std::string& thread_id) const {
  std::lock_guard lock(mutex_);
  const auto it = slots_.find(thread_id);
  return it == slots_.end() ? nullptr : it->second.run;
}

bool ChatService::running(const std::string& thread_id) const {
  const auto run = latest_run(thread_id);
  return run && !run->finished();
}

bool ChatService::cancel(const std::string& thread_id) {
  const auto run = latest_run(thread_id);
  if (!run || run->finished()) return false;
  run->cancel();
  return true;
}

Result<AgentRunOutcome> ChatService::run_once(const std::string& project, const std::string& prompt,
                                              std::optional<int> max_rounds,
                                              const AgentCallbacks& callbacks,
                                              const CancellationToken& cancel) {
  if (llm_unavailable_) return Error::make(*llm_unavailable_, "llm_not_configured");
  auto workspace = projects_.workspace(project);
  if (!workspace) return workspace.take_error();
  AgentRunRequest request;
  request.project = project;
  request.project_instructions = instructions_prompt(read_project_instructions(**workspace));
  request.prompt = prompt;
  request.max_rounds = max_rounds;
  return loop_.run(request, callbacks, cancel);
}

}  // namespace benchtop
