#include "server/connection_server.h"

#include <condition_variable>
#include <mutex>
#include <string>

namespace benchtop {
namespace {

// Counts requests whose reply is still owed, so the loop can wait for them at shutdown.
class PendingReplies {
 public:
  void add() {
    std::lock_guard lock(mutex_);
    ++count_;
  }
  void done() {
    std::lock_guard lock(mutex_);
    if (--count_ == 0) zero_.notify_all();
  }
  void wait_for_zero() {
    std::unique_lock lock(mutex_);
    zero_.wait(lock, [&] { return count_ == 0; });
  }
  // False when `limit` passed with replies still owed.
  bool wait_for_zero(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return zero_.wait_for(lock, limit, [&] { return count_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  size_t count_ = 0;
};

class ConnectionReply : public ReplyChannel {
 public:
  ConnectionReply(Connection& connection, std::shared_ptr<PendingReplies> pending)
      : connection_(connection), pending_(std::move(pending)) {
    pending_->add();
  }
  ~ConnectionReply() override {
    if (!finished_) pending_->done();  // dropped without an answer (e.g. a notification)
  }

  void notify(const nlohmann::json& notification) override {
    connection_.write(jsonrpc::serialize(notification));
  }
  void respond(const nlohmann::json& response) override {
    connection_.write(jsonrpc::serialize(response));
    finish();
  }
  void abandon() override { finish(); }

 private:
  void finish() {
    if (!finished_) {
      finished_ = true;
      pending_->done();
    }
  }
  Connection& connection_;
  std::shared_ptr<PendingReplies> pending_;
  bool finished_ = false;
};

// Reads one connection: on the calling thread first, then on whichever worker took the reading
// over (see WorkerPool::ReadingDuty) while the thread before it runs the request it read.
class ConnectionReader : public std::enable_shared_from_this<ConnectionReader> {
 public:
  ConnectionReader(McpServer& server, Connection& connection, std::chrono::milliseconds drain)
      : server_(server), connection_(connection), drain_(drain) {}

  // Reads and handles messages until the end of the stream, or until another thread has taken
  // the reading over (then returns once the request this thread kept is done).
  void read() {
    WorkerPool::ReadingDuty duty(server_.workers(), [self = shared_from_this()] { self->read(); });
    while (!duty.handed_off()) {
      ReadResult frame = connection_.read();
      if (std::holds_alternative<EndOfStream>(frame)) {
        // Here, not in serve_connection: its thread may be the one running a request that only
        // the cancellation below will end.
        finish_requests();
        std::lock_guard lock(mutex_);
        ended_ = true;
        end_.notify_all();
        return;
      }
      if (const auto* oversized = std::get_if<OversizedMessage>(&frame)) {
        connection_.write(jsonrpc::serialize(jsonrpc::make_error(
            nullptr, jsonrpc::kInvalidRequest,
            "Message too large: the limit is " + std::to_string(oversized->limit) + " bytes")));
        continue;
      }
      const jsonrpc::Message message = jsonrpc::parse(std::get<std::string>(frame));
      server_.handle(session_, message, std::make_shared<ConnectionReply>(connection_, pending_));
    }
  }

  // Blocks until the stream has ended and every request read from it is finished.
  void wait_until_done() {
    std::unique_lock lock(mutex_);
    end_.wait(lock, [&] { return ended_; });
  }

 private:
  // The client ends a stdio session by closing our input. Work that finishes within the drain
  // time is still answered; what runs longer is stopped rather than left to hold the process open
  // after its client has gone.
  void finish_requests() {
    if (drain_.count() > 0 && pending_->wait_for_zero(drain_)) return;
    session_->cancel_all();
    pending_->wait_for_zero();
  }

  McpServer& server_;
  Connection& connection_;
  const std::chrono::milliseconds drain_;
  const std::shared_ptr<Session> session_ = std::make_shared<Session>();
  const std::shared_ptr<PendingReplies> pending_ = std::make_shared<PendingReplies>();
  std::mutex mutex_;
  std::condition_variable end_;
  bool ended_ = false;
};

}  // namespace

void serve_connection(McpServer& server, Connection& connection, std::chrono::milliseconds drain) {
  auto reader = std::make_shared<ConnectionReader>(server, connection, drain);
  reader->read();
  reader->wait_until_done();
}

}  // namespace benchtop
