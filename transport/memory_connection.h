// Two connected in-memory Connections, for protocol tests without processes or sockets.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "transport/connection.h"

namespace benchtop {

class MemoryConnection : public Connection {
 public:
  // Returns {client end, server end}: what one writes, the other reads.
  static std::pair<std::unique_ptr<MemoryConnection>, std::unique_ptr<MemoryConnection>> pair(
      size_t max_message_bytes = 16 * 1024 * 1024);

  ReadResult read() override;
  bool write(std::string_view message) override;
  void close() override;

 private:
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::string> frames;
    bool closed = false;
  };
  MemoryConnection(std::shared_ptr<Queue> inbox, std::shared_ptr<Queue> outbox, size_t limit)
      : inbox_(std::move(inbox)), outbox_(std::move(outbox)), max_message_bytes_(limit) {}

  std::shared_ptr<Queue> inbox_;
  std::shared_ptr<Queue> outbox_;
  size_t max_message_bytes_;
};

}  // namespace benchtop
