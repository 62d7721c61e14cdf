// What the server remembers about one client: for stdio, the process's peer; for Streamable HTTP
// on a 2025 revision, one Mcp-Session-Id. Modern (2026-07-28) requests carry everything in _meta
// and use a throwaway session. Also tracks the requests in flight so they can be cancelled.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/cancellation.h"

namespace benchtop {

// One server-to-client request waiting for the client's answer. The answer (the whole JSON-RPC
// response message) is handed over by whichever thread reads it from the transport.
class ClientRequestWaiter : public std::enable_shared_from_this<ClientRequestWaiter> {
 public:
  explicit ClientRequestWaiter(nlohmann::json id) : id_(std::move(id)) {}
  const nlohmann::json& id() const { return id_; }

  void deliver(nlohmann::json response);
  // Wakes the waiter without an answer (cancellation, session end).
  void abort();
  // The response, or std::nullopt on abort, cancellation of `cancel`, or after `timeout`.
  std::optional<nlohmann::json> wait(const CancellationToken& cancel,
                                     std::chrono::milliseconds timeout);

 private:
  const nlohmann::json id_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<nlohmann::json> response_;
  bool aborted_ = false;
};

class Session {
 public:
  // `client` names whom the session's long-running calls count against (LongCallPool's
  // per-client cap); by default the session itself: a 2025 HTTP session or a stdio connection.
  explicit Session(std::string id = {}, std::string client = {});

  const std::string& id() const { return id_; }
  const std::string& client() const { return client_; }

  // Legacy handshake state.
  void set_initialized(std::string version, nlohmann::json capabilities, nlohmann::json info);
  bool initialized() const;
  std::string protocol_version() const;
  nlohmann::json client_capabilities() const;

  // In-flight requests, keyed by the request id's JSON text. Returns false when the id is already
  // in flight (a client error).
  bool begin_request(const nlohmann::json& id, const CancellationSource& source);
  void end_request(const nlohmann::json& id);
  // Cancels one request (notifications/cancelled).
  void cancel_request(const nlohmann::json& id);
  // The session ends (connection closed, DELETE, expiry, eviction): every request in flight is
  // cancelled, and ended() is true from before the first cancellation, so a request still waiting
  // for a thread never starts even if a cancelled one frees that thread at once.
  void cancel_all();
  bool ended() const;
  size_t in_flight() const;

  void touch();
  std::chrono::steady_clock::time_point last_active() const;

  // The client showed it is there after initialize: notifications/initialized or any later
  // message. Sessions whose handshake never finishes expire early (SessionStore).
  void confirm_handshake();
  bool handshake_confirmed() const;

  // Open streams of the session (2025 GET streams): a session with one is in use even when no
  // request is in flight, so it is neither evicted nor expired.
  void stream_opened();
  void stream_closed();
  size_t open_streams() const;

  // Server-to-client requests in flight. Ids are strings in their own namespace ("s1", "s2", ...)
  // so they never collide with the client's ids in logs.
  std::shared_ptr<ClientRequestWaiter> begin_client_request();
  // Hands a response from the client to its waiter; false when no request has that id.
  bool complete_client_request(const nlohmann::json& id, nlohmann::json response);
  void end_client_request(const nlohmann::json& id);

  // logging/setLevel (2025 revisions); empty until the client sets one.
  void set_log_level(std::string level);
  std::string log_level() const;

  // Where messages the client did not ask for go (2025 revisions: notifications/resources/
  // updated): the stdio connection, or the session's newest open GET stream over HTTP. The
  // transport sets it, and clears it with the number set_ returned when that goes away (a newer
  // channel set meanwhile stays).
  using UnsolicitedChannel = std::function<bool(const nlohmann::json& message)>;
  uint64_t set_unsolicited_channel(UnsolicitedChannel channel);
  void clear_unsolicited_channel(uint64_t which);
  // False when there is no such channel now (the message is dropped, as the spec allows).
  bool send_unsolicited(const nlohmann::json& message) const;

  // resources/subscribe (2025 revisions).
  void subscribe(const std::string& uri);
  void unsubscribe(const std::string& uri);
  bool subscribed(const std::string& uri) const;

 private:
  const std::string id_;
  const std::string client_;
  mutable std::mutex mutex_;
  bool initialized_ = false;
  bool handshake_confirmed_ = false;
  bool ended_ = false;
  size_t open_streams_ = 0;
  std::string protocol_version_;
  nlohmann::json client_capabilities_ = nlohmann::json::object();
  nlohmann::json client_info_ = nlohmann::json::object();
  std::map<std::string, CancellationSource> in_flight_;
  std::map<std::string, std::shared_ptr<ClientRequestWaiter>> client_requests_;
  uint64_t next_client_request_ = 1;
  std::string log_level_;
  std::set<std::string> subscriptions_;
  UnsolicitedChannel unsolicited_;
  uint64_t unsolicited_generation_ = 0;
  std::chrono::steady_clock::time_point last_active_;
};

}  // namespace benchtop
