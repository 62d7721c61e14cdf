#include "app/http_command.h"

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "common/parse_number.h"
#include "server/access/http_access.h"
#include "server/mcp/http/streamable_http.h"
#include "server/mcp/sessions/session_store.h"
#include "server/web/admin_exec.h"
#include "server/web/chat_api.h"
#include "server/web/preview_gateway.h"
#include "transport/http_router.h"
#include "transport/http_server.h"

namespace benchtop {
namespace {

struct ListenAddress {
  std::string host;
  int port = 0;
};

Result<ListenAddress> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return Error::make("--listen needs HOST:PORT, e.g. 127.0.0.1:8765");
  }
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  const auto port = parse_integer<uint16_t>(std::string_view(text).substr(colon + 1));
  if (!port) return Error::make("--listen: invalid port in '" + text + "'");
  address.port = *port;
  return address;
}

// Runs `tick` every `interval` until stopped; joined on destruction.
class PeriodicTask {
 public:
  PeriodicTask(std::chrono::seconds interval, std::function<void()> tick)
      : thread_([this, interval, tick = std::move(tick)] {
          std::unique_lock lock(mutex_);
          while (!stop_cv_.wait_for(lock, interval, [&] { return stopping_; })) {
            lock.unlock();
            tick();
            lock.lock();
          }
        }) {}
  ~PeriodicTask() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

sigset_t shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

void block_shutdown_signals() {
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int run_http_server(const CliOptions& options, McpServer& server, Services& services) {
  auto address = parse_listen(options.listen);
  if (!address) {
    log::error(address.error().message);
    return 2;
  }
  const bool loopback = HttpAccess::is_loopback_host(address->host);
  if (!loopback && options.token.empty()) {
    log::error("refusing to listen on " + address->host +
               " without authentication: set --token or BENCHTOP_TOKEN, or bind 127.0.0.1");
    return 2;
  }

  const sigset_t signals = shutdown_signals();
  ::signal(SIGPIPE, SIG_IGN);

  HttpAccessPolicy policy{loopback, options.token, options.allowed_origins, options.allowed_hosts};
  if (auto invalid = HttpAccess::invalid_entry(policy)) {
    log::error(*invalid);
    return 2;
  }
  const HttpAccess access(policy);
  SessionStore sessions(std::chrono::seconds(options.session_idle_seconds), options.max_sessions,
                        std::chrono::seconds(options.session_handshake_seconds));
  StreamableHttp mcp(server, access, sessions);

  // /mcp and /healthz check access themselves (MCP wants JSON-RPC shaped refusals); every other
  // endpoint family registers its routes wrapped in access.guard().
  HttpRouter router;
  const auto mcp_handler = [&mcp](const HttpRequest& request) { return mcp.handle(request); };
  router.add("*", "/mcp", mcp_handler);
  router.add("*", "/healthz", mcp_handler);
  register_exec_admin_routes(router, access, *services.containers, options.admin_token);
  register_chat_routes(router, access, *services.chat,
                       {*services.projects, [&services] { return services.projects->list(); }});
  // Requests for a preview's host name never reach the router: they are carried into the
  // project's sandbox (server/web/preview_gateway.h).
  PreviewLinks& preview_links = *services.preview_links;
  const PreviewGateway previews(
      access, preview_links,
      [&services](const std::string& id) {
        auto project = services.projects->get(id);
        return project && project->id == id;
      },
      [&services](const std::string& id, int port) {
        return services.containers->connect_port(id, port);
      });
  HttpServer::Options http_options;
  http_options.host = address->host;
  http_options.port = address->port;
  http_options.threads = options.http_threads;
  http_options.max_body_bytes = options.max_message_bytes;
  http_options.max_connections = options.http_max_connections;
  http_options.max_connections_per_peer = options.http_max_connections_per_client;
  // Its handler only checks access and answers: it never waits for a handler thread, so it
  // answers however many requests are running.
  http_options.inline_paths = {"/healthz"};
  http_options.tunnels = previews.tunnels();
  HttpServer http(http_options,
                  [&router](const HttpRequest& request) { return router.route(request); });
  auto port = http.bind();
  if (!port) {
    log::error(port.error().message);
    return 1;
  }
  preview_links.serve_on(static_cast<uint16_t>(*port));
  const std::string shown_host =
      address->host.find(':') != std::string::npos ? "[" + address->host + "]" : address->host;
  log::info("listening on http://" + shown_host + ":" + std::to_string(*port) + "/mcp");
  log::info("chat page at http://" + shown_host + ":" + std::to_string(*port) + "/");

  PeriodicTask reaper(std::chrono::seconds(10), [&sessions] {
    if (size_t expired = sessions.expire_idle()) {
      log::info("expired " + std::to_string(expired) + " idle session(s)");
    }
  });
  std::thread signal_watcher([&] {
    int received = 0;
    sigwait(&signals, &received);
    log::info(std::string("received ") + (received == SIGINT ? "SIGINT" : "SIGTERM") +
              "; shutting down");
    mcp.shutdown();
    // Open chat streams last as long as their runs: end the runs so the streams can close.
    services.chat->shutdown();
    http.stop();
  });
  http.run();
  // If run() ended for another reason, wake the watcher from its sigwait (SIGTERM is blocked in
  // every thread) so it can be joined; nothing is killed.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();
  return 0;
}

}  // namespace benchtop
