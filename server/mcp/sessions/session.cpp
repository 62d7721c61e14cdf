#include "server/mcp/sessions/session.h"

#include <atomic>

namespace benchtop {
namespace {

// A name for a session without an id (a stdio connection, a test's in-memory one), unique in
// this process.
std::string anonymous_client() {
  static std::atomic<uint64_t> next{0};
  return "connection " + std::to_string(++next);
}

}  // namespace

Session::Session(std::string id, std::string client)
    : id_(std::move(id)),
      client_(!client.empty() ? std::move(client)
              : id_.empty()   ? anonymous_client()
                              : "session " + id_) {
  touch();
}

void ClientRequestWaiter::deliver(nlohmann::json response) {
  {
    std::lock_guard lock(mutex_);
    response_ = std::move(response);
  }
  changed_.notify_all();
}

void ClientRequestWaiter::abort() {
  {
    std::lock_guard lock(mutex_);
    aborted_ = true;
  }
  changed_.notify_all();
}

std::optional<nlohmann::json> ClientRequestWaiter::wait(const CancellationToken& cancel,
                                                        std::chrono::milliseconds timeout) {
  // The cancel callback may run long after this wait returned, so it holds only a weak reference.
  cancel.on_cancel([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->abort();
  });
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return response_.has_value() || aborted_; });
  return response_;
}

void Session::set_initialized(std::string version, nlohmann::json capabilities,
                              nlohmann::json info) {
  std::lock_guard lock(mutex_);
  initialized_ = true;
  protocol_version_ = std::move(version);
  client_capabilities_ = std::move(capabilities);
  client_info_ = std::move(info);
}

bool Session::initialized() const {
  std::lock_guard lock(mutex_);
  return initialized_;
}

std::string Session::protocol_version() const {
  std::lock_guard lock(mutex_);
  return protocol_version_;
}

nlohmann::json Session::client_capabilities() const {
  std::lock_guard lock(mutex_);
  return client_capabilities_;
}

bool Session::begin_request(const nlohmann::json& id, const CancellationSource& source) {
  std::lock_guard lock(mutex_);
  return in_flight_.emplace(id.dump(), source).second;
}

void Session::end_request(const nlohmann::json& id) {
  std::lock_guard lock(mutex_);
  in_flight_.erase(id.dump());
}

void Session::cancel_request(const nlohmann::json& id) {
  std::optional<CancellationSource> source;
  {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(id.dump());
    if (it == in_flight_.end()) return;
    source = it->second;
  }
  source->cancel();  // outside the lock: cancel callbacks may re-enter the session
}

void Session::cancel_all() {
  std::vector<CancellationSource> sources;
  {
    std::lock_guard lock(mutex_);
    ended_ = true;
    for (auto& [key, source] : in_flight_) sources.push_back(source);
  }
  for (auto& source : sources) source.cancel();
}

bool Session::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

size_t Session::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_.size();
}

std::shared_ptr<ClientRequestWaiter> Session::begin_client_request() {
  std::lock_guard lock(mutex_);
  const nlohmann::json id = "s" + std::to_string(next_client_request_++);
  auto waiter = std::make_shared<ClientRequestWaiter>(id);
  client_requests_[id.dump()] = waiter;
  return waiter;
}

bool Session::complete_client_request(const nlohmann::json& id, nlohmann::json response) {
  std::shared_ptr<ClientRequestWaiter> waiter;
  {
    std::lock_guard lock(mutex_);
    auto it = client_requests_.find(id.dump());
    if (it == client_requests_.end()) return false;
    waiter = it->second;
  }
  waiter->deliver(std::move(response));
  return true;
}

void Session::end_client_request(const nlohmann::json& id) {
  std::lock_guard lock(mutex_);
  client_requests_.erase(id.dump());
}

void Session::set_log_level(std::string level) {
  std::lock_guard lock(mutex_);
  log_level_ = std::move(level);
}

std::string Session::log_level() const {
  std::lock_guard lock(mutex_);
  return log_level_;
}

uint64_t Session::set_unsolicited_channel(UnsolicitedChannel channel) {
  std::lock_guard lock(mutex_);
  unsolicited_ = std::move(channel);
  return ++unsolicited_generation_;
}

void Session::clear_unsolicited_channel(uint64_t which) {
  std::lock_guard lock(mutex_);
  if (which == unsolicited_generation_) unsolicited_ = nullptr;
}

bool Session::send_unsolicited(const nlohmann::json& message) const {
  UnsolicitedChannel channel;
  {
    std::lock_guard lock(mutex_);
    channel = unsolicited_;
  }
  return channel && channel(message);
}

void Session::subscribe(const std::string& uri) {
  std::lock_guard lock(mutex_);
  subscriptions_.insert(uri);
}

void Session::unsubscribe(const std::string& uri) {
  std::lock_guard lock(mutex_);
  subscriptions_.erase(uri);
}

bool Session::subscribed(const std::string& uri) const {
  std::lock_guard lock(mutex_);
  return subscriptions_.count(uri) != 0;
}

void Session::touch() {
  std::lock_guard lock(mutex_);
  last_active_ = std::chrono::steady_clock::now();
}

std::chrono::steady_clock::time_point Session::last_active() const {
  std::lock_guard lock(mutex_);
  return last_active_;
}

void Session::confirm_handshake() {
  std::lock_guard lock(mutex_);
  handshake_confirmed_ = true;
}

bool Session::handshake_confirmed() const {
  std::lock_guard lock(mutex_);
  return handshake_confirmed_;
}

void Session::stream_opened() {
  std::lock_guard lock(mutex_);
  ++open_streams_;
}

void Session::stream_closed() {
  std::lock_guard lock(mutex_);
  if (open_streams_ > 0) --open_streams_;
}

size_t Session::open_streams() const {
  std::lock_guard lock(mutex_);
  return open_streams_;
}

}  // namespace benchtop
