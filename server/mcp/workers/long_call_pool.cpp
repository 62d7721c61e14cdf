#include "server/mcp/workers/long_call_pool.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace benchtop {
namespace {

std::string plural(size_t count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

}  // namespace

LongCallPool::LongCallPool(LongCallLimits limits) : limits_(limits) {}

LongCallPool::~LongCallPool() {
  std::vector<CancellationSource> running;
  std::unique_ptr<WorkerPool> threads;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [ticket, source] : running_) running.push_back(source);
    threads = std::move(threads_);
  }
  for (const auto& source : running) source.cancel();
  threads.reset();  // joins once every job has returned
}

size_t LongCallPool::running() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

std::optional<std::string> LongCallPool::refusal_locked(const Call& call) const {
  const std::string what = call.tool + " was not started: ";
  const std::string advice = "; wait for one to finish or cancel it, then call again.";
  if (!call.project.empty()) {
    auto it = per_project_.find(call.project);
    const size_t in_project = it == per_project_.end() ? 0 : it->second;
    if (in_project >= limits_.per_project) {
      return what + plural(in_project, "long-running call is", "long-running calls are") +
             " already running in project '" + call.project_label +
             "', the most one project may run at once" + advice;
    }
  }
  auto it = per_client_.find(call.client);
  const size_t of_client = it == per_client_.end() ? 0 : it->second;
  if (of_client >= limits_.per_client) {
    return what + "you already have " +
           plural(of_client, "long-running call", "long-running calls") +
           " in progress, the most one client may run at once" + advice;
  }
  if (running_.size() >= limits_.threads) {
    return what + "the server is already running " +
           plural(running_.size(), "long-running call", "long-running calls") +
           " for all its clients, its limit; wait a little and call again.";
  }
  return std::nullopt;
}

std::optional<std::string> LongCallPool::try_run(const Call& call, const CancellationSource& cancel,
                                                 std::function<void()> job) {
  uint64_t ticket = 0;
  WorkerPool* threads = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (auto refused = refusal_locked(call)) return refused;
    if (!call.project.empty()) ++per_project_[call.project];
    ++per_client_[call.client];
    ticket = ++next_ticket_;
    running_.emplace(ticket, cancel);
    if (!threads_) threads_ = std::make_unique<WorkerPool>(std::max<size_t>(1, limits_.threads));
    threads = threads_.get();
  }
  // The slot is held until the job has returned; admission keeps the number of running jobs at
  // or below the number of threads, so the job starts at once.
  threads->submit([this, call, ticket, job = std::move(job)] {
    struct Release {
      LongCallPool& pool;
      const Call& call;
      uint64_t ticket;
      ~Release() { pool.finish(call, ticket); }
    } release{*this, call, ticket};
    job();
  });
  return std::nullopt;
}

void LongCallPool::finish(const Call& call, uint64_t ticket) {
  std::lock_guard lock(mutex_);
  running_.erase(ticket);
  auto release = [](std::map<std::string, size_t>& counts, const std::string& key) {
    auto it = counts.find(key);
    if (it != counts.end() && --it->second == 0) counts.erase(it);
  };
  if (!call.project.empty()) release(per_project_, call.project);
  release(per_client_, call.client);
}

}  // namespace benchtop
