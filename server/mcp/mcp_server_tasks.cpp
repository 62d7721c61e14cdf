// The io.modelcontextprotocol/tasks extension: tools/call of a task-capable tool answers at once
// with a task; the tool runs on the worker pool, parks in input_required when it asks the client
// something (the questions appear in tasks/get, the answers arrive with tasks/update and the
// handler runs again with them, as in a 2026-07-28 retry), and ends completed, failed or
// cancelled.
#include <utility>

#include "server/mcp/mcp_server.h"
#include "server/mcp/mcp_server_internal.h"
#include "server/mcp/sessions/task_store.h"

namespace benchtop {
namespace {

using jsonrpc::make_error;
using jsonrpc::make_result;

constexpr int64_t kPollIntervalMs = 250;

bool declared_tasks(const nlohmann::json& capabilities) {
  if (!capabilities.is_object() || !capabilities.contains("extensions")) return false;
  const auto& extensions = capabilities["extensions"];
  return extensions.is_object() && extensions.contains(std::string(mcp::kTasksExtension));
}

nlohmann::json missing_tasks_extension(const jsonrpc::Id& id) {
  return make_error(
      id, mcp::kMissingRequiredClientCapability,
      "Missing required client capability: declare the io.modelcontextprotocol/tasks extension",
      {{"requiredCapabilities",
        {{"extensions", {{std::string(mcp::kTasksExtension), nlohmann::json::object()}}}}}});
}

}  // namespace

McpServer::~McpServer() {
  {
    // No resource-watch callback reaches this server from now on.
    std::lock_guard lock(self_->mutex);
    self_->server = nullptr;
  }
  // Running tasks hold `this`; stop them and wait, so no worker outlives the server it uses.
  std::unique_lock lock(tasks_mutex_);
  while (running_tasks_ > 0) {
    lock.unlock();
    task_store_->cancel_all();
    lock.lock();
    tasks_idle_.wait_for(lock, std::chrono::milliseconds(100), [&] { return running_tasks_ == 0; });
  }
}

void McpServer::set_task_support(const std::string& tool, TaskSupport support) {
  if (support == TaskSupport::kForbidden) {
    task_support_.erase(tool);
  } else {
    task_support_[tool] = support;
  }
}

bool McpServer::start_task(const std::shared_ptr<Session>& session, const jsonrpc::Request& request,
                           const RequestScope& scope, const std::shared_ptr<ReplyChannel>& reply,
                           const std::string& name, const nlohmann::json& arguments) {
  auto support = task_support_.find(name);
  // kEscalates tools start as ordinary calls; the handler creates the task (call_tool).
  if (support == task_support_.end() || support->second == TaskSupport::kEscalates) return false;
  if (!declared_tasks(scope.client_capabilities)) {
    if (support->second != TaskSupport::kRequired) return false;  // runs synchronously
    reply->respond(missing_tasks_extension(request.id));
    return true;
  }
  auto task = task_store_->create();
  const int64_t ttl_ms = task_store_->ttl().count();
  nlohmann::json created;
  {
    std::lock_guard lock(task->mutex);
    created = task->envelope(ttl_ms, kPollIntervalMs);
  }
  created["resultType"] = "task";
  {
    std::lock_guard lock(tasks_mutex_);
    ++running_tasks_;
  }
  // The task exists before the client learns its id, so an immediate tasks/get finds it.
  reply->respond(make_result(request.id, std::move(created)));

  RequestScope task_scope = scope;
  workers_.submit([this, session, task, task_scope, name, arguments]() {
    // A task has no stream of its own: notifications go nowhere.
    class Silent : public ReplyChannel {
     public:
      void notify(const nlohmann::json&) override {}
      void respond(const nlohmann::json&) override {}
    };
    auto silent = std::make_shared<Silent>();
    const CancellationToken token = task->cancel.token();
    for (;;) {
      auto round = std::make_shared<InputRound>();
      round->method = "tools/call";
      round->target = name;
      {
        std::lock_guard lock(task->mutex);
        round->responses = task->input_responses;
      }
      ToolContext context(token, {}, task_scope.client_capabilities, task_scope.version);
      context.set_client_channel(client_channel(session, task_scope, silent, token, round));
      std::optional<ToolResult> result = tools_.call(name, arguments, context);

      std::unique_lock lock(task->mutex);
      if (task->terminal()) break;  // cancelled meanwhile
      if (!round->missing_capabilities.empty()) {
        task->error = {{"code", mcp::kMissingRequiredClientCapability},
                       {"message", "Missing required client capability"},
                       {"data", {{"requiredCapabilities", round->missing_capabilities}}}};
        task->set_status(TaskStatus::kFailed);
        break;
      }
      if (!round->requests.empty()) {
        task->input_requests = round->requests;
        task->set_status(TaskStatus::kInputRequired);
        // An answer that never comes must not hold the task (and a worker thread) for ever.
        const bool answered = task->changed.wait_for(lock, client_request_timeout_, [&] {
          return task->input_requests.empty() || token.cancelled();
        });
        if (task->terminal()) break;
        if (!answered) {
          task->error = {
              {"code", jsonrpc::kInternalError},
              {"message", "No input arrived for the task within " +
                              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                 client_request_timeout_)
                                                 .count()) +
                              " s; it was ended. Start it again to retry."}};
          task->set_status(TaskStatus::kFailed);
          break;
        }
        task->set_status(TaskStatus::kWorking);
        continue;  // run again with the answers
      }
      if (!result) {
        task->error = {{"code", jsonrpc::kInvalidParams}, {"message", "Unknown tool: " + name}};
        task->set_status(TaskStatus::kFailed);
      } else if (result->protocol_error) {
        task->error = *result->protocol_error;
        task->set_status(TaskStatus::kFailed);
      } else {
        task->result = result->to_json();
        task->result["resultType"] = "complete";
        task->set_status(TaskStatus::kCompleted);
      }
      break;
    }
    task->changed.notify_all();
    std::lock_guard lock(tasks_mutex_);
    --running_tasks_;
    tasks_idle_.notify_all();
  });
  return true;
}

struct McpServer::Escalation {
  std::mutex mutex;
  jsonrpc::Id id;
  std::shared_ptr<ReplyChannel> reply;
  std::shared_ptr<Task> task;  // set once the handler continued as a task
};

std::shared_ptr<McpServer::Escalation> McpServer::prepare_escalation(
    const jsonrpc::Request& request, const RequestScope& scope,
    const std::shared_ptr<ReplyChannel>& reply, const std::string&) {
  if (!declared_tasks(scope.client_capabilities)) {
    reply->respond(missing_tasks_extension(request.id));
    return nullptr;
  }
  auto escalation = std::make_shared<Escalation>();
  escalation->id = request.id;
  escalation->reply = reply;
  return escalation;
}

std::function<bool()> McpServer::escalation_hook(const std::shared_ptr<Escalation>& escalation) {
  return [this, escalation] {
    std::lock_guard lock(escalation->mutex);
    if (escalation->task) return true;
    auto task = task_store_->create();
    nlohmann::json created;
    {
      std::lock_guard task_lock(task->mutex);
      created = task->envelope(task_store_->ttl().count(), kPollIntervalMs);
    }
    created["resultType"] = "task";
    {
      std::lock_guard tasks_lock(tasks_mutex_);
      ++running_tasks_;
    }
    escalation->task = task;
    escalation->reply->respond(make_result(escalation->id, std::move(created)));
    return true;
  };
}

bool McpServer::escalated(Escalation& escalation) {
  std::lock_guard lock(escalation.mutex);
  return escalation.task != nullptr;
}

McpServer::Answer McpServer::finish_escalation(Escalation& escalation,
                                               std::optional<ToolResult> result) {
  std::shared_ptr<Task> task;
  {
    std::lock_guard lock(escalation.mutex);
    task = escalation.task;
  }
  {
    std::lock_guard lock(task->mutex);
    if (!task->terminal()) {
      if (result && result->protocol_error) {
        task->error = *result->protocol_error;
        task->set_status(TaskStatus::kFailed);
      } else if (result) {
        task->result = result->to_json();
        task->result["resultType"] = "complete";
        task->set_status(TaskStatus::kCompleted);
      } else {
        task->error = {{"code", jsonrpc::kInternalError}, {"message", "the tool vanished"}};
        task->set_status(TaskStatus::kFailed);
      }
    }
  }
  task->changed.notify_all();
  {
    std::lock_guard lock(tasks_mutex_);
    --running_tasks_;
  }
  tasks_idle_.notify_all();
  Answer answer;
  answer.answered = true;
  return answer;
}

void McpServer::handle_task_method(const jsonrpc::Request& request, const RequestScope& scope,
                                   const std::shared_ptr<ReplyChannel>& reply) {
  if (!declared_tasks(scope.client_capabilities)) {
    reply->respond(missing_tasks_extension(request.id));
    return;
  }
  const auto& params = request.params;
  const std::string id =
      params.is_object() && params.contains("taskId") && params["taskId"].is_string()
          ? params["taskId"].get<std::string>()
          : std::string();
  auto task = id.empty() ? nullptr : task_store_->find(id);
  if (!task) {
    reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                              "Unknown taskId '" + id + "': it expired or never existed"));
    return;
  }
  const nlohmann::json ack = {{"resultType", "complete"}};
  if (request.method == "tasks/get") {
    std::lock_guard lock(task->mutex);
    nlohmann::json detailed = task->envelope(task_store_->ttl().count(), kPollIntervalMs);
    detailed["resultType"] = "complete";
    if (task->status == TaskStatus::kCompleted) detailed["result"] = task->result;
    if (task->status == TaskStatus::kFailed) detailed["error"] = task->error;
    if (task->status == TaskStatus::kInputRequired)
      detailed["inputRequests"] = task->input_requests;
    reply->respond(make_result(request.id, std::move(detailed)));
  } else if (request.method == "tasks/update") {
    const auto responses = params.value("inputResponses", nlohmann::json());
    if (!responses.is_object()) {
      reply->respond(make_error(request.id, jsonrpc::kInvalidParams,
                                "tasks/update needs params.inputResponses (an object)"));
      return;
    }
    {
      std::lock_guard lock(task->mutex);
      for (const auto& [key, value] : responses.items()) {
        if (!value.is_object()) continue;
        // Answers to questions not (or no longer) asked are ignored.
        if (!task->input_requests.contains(key)) continue;
        task->input_responses[key] = value;
        task->input_requests.erase(key);
      }
    }
    task->changed.notify_all();
    reply->respond(make_result(request.id, ack));
  } else {  // tasks/cancel: idempotent, also on a finished task
    {
      std::lock_guard lock(task->mutex);
      if (!task->terminal()) task->set_status(TaskStatus::kCancelled);
    }
    task->cancel.cancel();
    task->changed.notify_all();
    reply->respond(make_result(request.id, ack));
  }
}

}  // namespace benchtop
