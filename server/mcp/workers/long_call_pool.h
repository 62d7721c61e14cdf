// The threads that run long-running tool calls (ToolExecution::kLongRunning), apart from the quick
// pool, with admission caps: at most `threads` such calls at once in all, `per_project` in one
// project and `per_client` for one client. A call beyond a cap is refused at once rather than
// queued: a queue would hide the wait from the model (it cannot tell a queued call from a slow
// one), keep work alive after its client has gone, and grow without bound under a flood; a
// refusal tells the model what to do (wait for or cancel one of its calls). Every admitted call
// has a thread of its own, so nothing here ever waits in a queue either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/cancellation.h"
#include "server/mcp/workers/worker_pool.h"

namespace benchtop {

struct LongCallLimits {
  size_t threads = 16;     // long-running calls at once, for all clients together
  size_t per_project = 4;  // ... in one project
  size_t per_client = 8;   // ... for one client (a 2025 session, a stdio connection, a peer)
};

class LongCallPool {
 public:
  // Whom a call counts against. `project` is empty for a call outside any project (it is then
  // bound by the client and total caps only); `project_label` is how the model named it.
  struct Call {
    std::string tool;
    std::string project;
    std::string project_label;
    std::string client;
  };

  explicit LongCallPool(LongCallLimits limits);
  // Cancels the calls still running and waits for them to return.
  ~LongCallPool();
  LongCallPool(const LongCallPool&) = delete;
  LongCallPool& operator=(const LongCallPool&) = delete;

  // Starts `job` on a thread of this pool when every cap allows it; otherwise returns why not,
  // worded for the model, and `job` never runs. `cancel` is cancelled if the pool shuts down
  // while the job runs.
  std::optional<std::string> try_run(const Call& call, const CancellationSource& cancel,
                                     std::function<void()> job);

  const LongCallLimits& limits() const { return limits_; }
  size_t running() const;

 private:
  std::optional<std::string> refusal_locked(const Call& call) const;
  void finish(const Call& call, uint64_t ticket);

  const LongCallLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, size_t> per_project_;
  std::map<std::string, size_t> per_client_;
  std::map<uint64_t, CancellationSource> running_;
  uint64_t next_ticket_ = 0;
  // Started with the first long call: most servers in tests never run one.
  std::unique_ptr<WorkerPool> threads_;
};

}  // namespace benchtop
