#include "server/mcp/sessions/task_store.h"

#include <ctime>

#include "common/random.h"
#include "server/mcp/sessions/session_store.h"

namespace benchtop {

std::string iso8601_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char with_millis[48];
  std::snprintf(with_millis, sizeof with_millis, "%s.%03dZ", text, static_cast<int>(millis));
  return with_millis;
}

Task::Task(std::string task_id)
    : id(std::move(task_id)),
      created_at(iso8601_now()),
      created(std::chrono::steady_clock::now()),
      updated_at(created_at) {}

std::string_view to_string(TaskStatus status) {
  switch (status) {
    case TaskStatus::kWorking:
      return "working";
    case TaskStatus::kInputRequired:
      return "input_required";
    case TaskStatus::kCompleted:
      return "completed";
    case TaskStatus::kFailed:
      return "failed";
    case TaskStatus::kCancelled:
      return "cancelled";
  }
  return "working";
}

void Task::set_status(TaskStatus next) {
  status = next;
  updated_at = iso8601_now();
}

nlohmann::json Task::envelope(int64_t ttl_ms, int64_t poll_interval_ms) const {
  return {{"taskId", id},
          {"status", std::string(to_string(status))},
          {"createdAt", created_at},
          {"lastUpdatedAt", updated_at},
          {"ttlMs", ttl_ms},
          {"pollIntervalMs", poll_interval_ms}};
}

std::shared_ptr<Task> TaskStore::create() {
  // Task ids are unguessable: knowing one is what lets a client read the result.
  auto task = std::make_shared<Task>(random_hex(16));
  std::lock_guard lock(mutex_);
  expire_locked();
  tasks_[task->id] = task;
  return task;
}

std::shared_ptr<Task> TaskStore::find(const std::string& id) {
  std::lock_guard lock(mutex_);
  expire_locked();
  auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : it->second;
}

void TaskStore::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto& [id, task] : tasks_) {
    {
      std::lock_guard task_lock(task->mutex);
      if (!task->terminal()) task->set_status(TaskStatus::kCancelled);
    }
    task->cancel.cancel();
    task->changed.notify_all();
  }
}

void TaskStore::expire_locked() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    bool expired = false;
    if (now - it->second->created > ttl_) {
      std::lock_guard task_lock(it->second->mutex);
      expired = it->second->terminal();  // a running task outlives its ttl until it ends
    }
    it = expired ? tasks_.erase(it) : std::next(it);
  }
}

}  // namespace benchtop
