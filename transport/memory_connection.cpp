#include "transport/memory_connection.h"

namespace benchtop {

std::pair<std::unique_ptr<MemoryConnection>, std::unique_ptr<MemoryConnection>>
MemoryConnection::pair(size_t max_message_bytes) {
  auto a_to_b = std::make_shared<Queue>();
  auto b_to_a = std::make_shared<Queue>();
  std::unique_ptr<MemoryConnection> a(new MemoryConnection(b_to_a, a_to_b, max_message_bytes));
  std::unique_ptr<MemoryConnection> b(new MemoryConnection(a_to_b, b_to_a, max_message_bytes));
  return {std::move(a), std::move(b)};
}

ReadResult MemoryConnection::read() {
  std::unique_lock lock(inbox_->mutex);
  inbox_->ready.wait(lock, [&] { return !inbox_->frames.empty() || inbox_->closed; });
  if (inbox_->frames.empty()) return EndOfStream{};
  std::string frame = std::move(inbox_->frames.front());
  inbox_->frames.pop_front();
  if (frame.size() > max_message_bytes_) {
    return OversizedMessage{max_message_bytes_, frame.substr(0, kOversizedHeadBytes)};
  }
  return frame;
}

bool MemoryConnection::write(std::string_view message) {
  std::lock_guard lock(outbox_->mutex);
  if (outbox_->closed) return false;
  outbox_->frames.emplace_back(message);
  outbox_->ready.notify_all();
  return true;
}

void MemoryConnection::close() {
  for (auto* queue : {inbox_.get(), outbox_.get()}) {
    std::lock_guard lock(queue->mutex);
    queue->closed = true;
    queue->ready.notify_all();
  }
}

}  // namespace benchtop
