#include "server/mcp/connection_server.h"

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

}  // namespace

bool serve_connection(McpServer& server, Connection& connection, std::chrono::milliseconds drain,
                      std::chrono::milliseconds after_cancel) {
  auto session = std::make_shared<Session>();
  auto pending = std::make_shared<PendingReplies>();
  // One stream carries everything, so messages the client did not ask for go on it too.
  const uint64_t channel =
      session->set_unsolicited_channel([&connection](const nlohmann::json& message) {
        return connection.write(jsonrpc::serialize(message));
      });
  struct ClearChannel {
    Session& session;
    uint64_t channel;
    ~ClearChannel() { session.clear_unsolicited_channel(channel); }
  } clear_channel{*session, channel};
  for (;;) {
    ReadResult frame = connection.read();
    if (std::holds_alternative<EndOfStream>(frame)) break;
    if (const auto* oversized = std::get_if<OversizedMessage>(&frame)) {
      // Unread, like a parse error: the answer names its id when the head shows it.
      connection.write(jsonrpc::serialize(jsonrpc::make_invalid_message_error(
          {jsonrpc::kInvalidRequest,
           "Message too large: the limit is " + std::to_string(oversized->limit) + " bytes",
           jsonrpc::read_id(oversized->head)})));
      continue;
    }
    const jsonrpc::Message message = jsonrpc::parse(std::get<std::string>(frame));
    server.handle(session, message, std::make_shared<ConnectionReply>(connection, pending));
  }
  // The client ends a stdio session by closing our input. Work that finishes within `drain` is
  // still answered; what runs longer is stopped rather than left to hold the process open after
  // its client has gone.
  if (drain.count() > 0 && pending->wait_for_zero(drain)) return true;
  session->cancel_all();
  if (after_cancel.count() > 0) return pending->wait_for_zero(after_cancel);
  pending->wait_for_zero();
  return true;
}

}  // namespace benchtop
