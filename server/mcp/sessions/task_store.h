// The tasks of the io.modelcontextprotocol/tasks extension: a tool call that runs in the
// background while the client polls it with tasks/get, answers its questions with tasks/update
// and may stop it with tasks/cancel. Tasks live in memory for their time to live.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/cancellation.h"

namespace benchtop {

enum class TaskStatus { kWorking, kInputRequired, kCompleted, kFailed, kCancelled };
// As the tasks extension spells it: "working", "input_required", "completed", "failed",
// "cancelled".
std::string_view to_string(TaskStatus status);

struct Task {
  explicit Task(std::string task_id);

  const std::string id;
  const std::string created_at;  // ISO 8601 UTC
  const std::chrono::steady_clock::time_point created;
  CancellationSource cancel;

  std::mutex mutex;
  std::condition_variable changed;  // new answers, or cancellation
  TaskStatus status = TaskStatus::kWorking;
  std::string updated_at;
  nlohmann::json result;                                      // completed
  nlohmann::json error;                                       // failed
  nlohmann::json input_requests = nlohmann::json::object();   // input_required: still unanswered
  nlohmann::json input_responses = nlohmann::json::object();  // every answer so far

  bool terminal() const {
    return status == TaskStatus::kCompleted || status == TaskStatus::kFailed ||
           status == TaskStatus::kCancelled;
  }
  // Moves to `next` and stamps the time; the caller holds `mutex`.
  void set_status(TaskStatus next);
  // The task fields every task answer carries (taskId, status, times, ttlMs, pollIntervalMs);
  // the caller holds `mutex`.
  nlohmann::json envelope(int64_t ttl_ms, int64_t poll_interval_ms) const;
};

class TaskStore {
 public:
  explicit TaskStore(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  std::shared_ptr<Task> create();
  std::shared_ptr<Task> find(const std::string& id);
  std::chrono::milliseconds ttl() const { return ttl_; }
  // Cancels every task that has not ended (server shutdown).
  void cancel_all();

 private:
  void expire_locked();

  const std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Task>> tasks_;
};

// The current time as ISO 8601 UTC with milliseconds, e.g. 2026-07-28T09:30:00.000Z.
std::string iso8601_now();

}  // namespace benchtop
