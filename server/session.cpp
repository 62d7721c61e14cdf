#include "server/session.h"

namespace benchtop {

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
    for (auto& [key, source] : in_flight_) sources.push_back(source);
  }
  for (auto& source : sources) source.cancel();
}

size_t Session::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_.size();
}

void Session::touch() {
  std::lock_guard lock(mutex_);
  last_active_ = std::chrono::steady_clock::now();
}

std::chrono::steady_clock::time_point Session::last_active() const {
  std::lock_guard lock(mutex_);
  return last_active_;
}

}  // namespace benchtop
