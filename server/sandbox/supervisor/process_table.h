// The commands started with `start`, by number ("proc-N"): the running ones and the kKeptExited
// that exited last, oldest first. Answers the requests about them; the loop polls their pipes and
// pidfds and tells the table when one has been reaped.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "server/sandbox/supervisor/answer.h"
#include "server/sandbox/supervisor/background.h"
#include "server/sandbox/supervisor/child.h"
#include "server/sandbox/supervisor/wire.h"

namespace benchtop::supervisor {

class ProcessTable {
 public:
  using Processes = std::map<uint64_t, std::unique_ptr<Background>>;

  explicit ProcessTable(size_t ring_bytes) : ring_bytes_(ring_bytes) {}

  // Requests. `spec` is the command as read from the request; its stdio is the table's to make.
  Answer start(SpawnSpec spec, const Frame& request);
  Answer list() const;
  Answer read(const nlohmann::json& body);
  Answer write(const Frame& request);
  Answer signal(const nlohmann::json& body);
  Answer forget(const nlohmann::json& body);

  const Processes& processes() const { return processes_; }
  Background* find(uint64_t number);
  // `process` has been reaped: its exit is recorded, and the oldest exited ones beyond
  // kKeptExited are dropped (possibly `process` itself, never a running one).
  void exited(Background& process);
  // A child reaped by a wait for any child; false when it is none of the table's.
  bool reaped(pid_t pid, int wait_status);
  // Sends SIGKILL to every running process's group, without waiting.
  void kill_all() const;
  // Drops every process; one still unreaped is killed and reaped on the way.
  void clear() { processes_.clear(); }

 private:
  Result<Background*> find(const nlohmann::json& body);

  const size_t ring_bytes_;
  Processes processes_;
  uint64_t next_number_ = 1;
  uint64_t exits_ = 0;
};

}  // namespace benchtop::supervisor
