// A tool that blocks until the test releases it or its call is cancelled, and counts what its
// calls did: for tests of how the server schedules, caps and cancels calls. Waits have a deadline
// only so that a broken server fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "server/mcp/registry/tool.h"
#include "tests/support/test_mcp_client.h"

namespace benchtop::testing {

class BlockingProbe {
 public:
  // The tool: `execution` is its class; it takes the optional `project` argument every project
  // tool takes.
  Tool tool(std::string name, ToolExecution execution) {
    Tool tool;
    tool.name = std::move(name);
    tool.title = tool.name;
    tool.description = "Blocks until the test releases it or the call is cancelled.";
    tool.input_schema = {{"type", "object"},
                         {"properties", {{"project", {{"type", "string"}}}}},
                         {"additionalProperties", false}};
    tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
    tool.execution = execution;
    tool.handler = [this](const nlohmann::json&, ToolContext& context) {
      context.cancellation().on_cancel([this] {
        std::lock_guard lock(mutex_);
        changed_.notify_all();
      });
      std::unique_lock lock(mutex_);
      ++started_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return released_ || context.cancelled(); });
      ++finished_;
      if (context.cancelled()) ++cancelled_;
      changed_.notify_all();
      return context.cancelled() ? ToolResult::error("cancelled") : ToolResult::text("released");
    };
    return tool;
  }

  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

  // Waits until `count` calls have started (or finished, or were cancelled); false at the
  // deadline.
  bool wait_started(int count) {
    return wait([&] { return started_ >= count; });
  }
  bool wait_cancelled(int count) {
    return wait([&] { return cancelled_ >= count; });
  }

  int started() {
    std::lock_guard lock(mutex_);
    return started_;
  }
  int finished() {
    std::lock_guard lock(mutex_);
    return finished_;
  }

 private:
  template <typename Predicate>
  bool wait(Predicate predicate) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, test::kReplyDeadline, predicate);
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int started_ = 0;
  int finished_ = 0;
  int cancelled_ = 0;
  bool released_ = false;
};

}  // namespace benchtop::testing
