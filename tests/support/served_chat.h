// The chat routes and /mcp behind one router on a free loopback port, as `benchtop serve` wires
// them, for tests that need the real HTTP stack (chat login, Host/Origin checks).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "server/mcp/http/streamable_http.h"
#include "server/mcp/mcp_server.h"
#include "server/mcp/sessions/session_store.h"
#include "server/mcp/workers/worker_pool.h"
#include "server/storage/sqlite/migrations.h"
#include "server/storage/sqlite/sqlite_repositories.h"
#include "server/web/chat_api.h"
#include "tests/support/fs_test_support.h"
#include "tools/fs/fs_tools.h"
#include "transport/http_client.h"
#include "transport/http_router.h"

namespace benchtop::testing {

struct Reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(const std::string& name) const {
    HttpResponseHead head;
    head.headers = headers;
    return head.header(name);
  }
  // "name=value" of the Set-Cookie header, without its attributes; "" when none was set.
  std::string cookie() const {
    const std::string set = header("Set-Cookie");
    return set.substr(0, set.find(';'));
  }
};

// The served routes, under the given access policy.
class ServedChat {
 public:
  explicit ServedChat(HttpAccessPolicy policy)
      : provider_(dirs_.root()),
        workers_(2),
        sessions_(std::chrono::seconds(60)),
        access_(std::move(policy)) {
    register_fs_tools(registry_, provider_);
    auto database = Database::open(state_.path() / "benchtop.db", benchtop_migrations());
    EXPECT_TRUE(database) << database.error().message;
    database_ = std::move(database).value();
    repositories_ = make_sqlite_repositories(*database_);
    chat_ = std::make_unique<ChatService>(*repositories_.threads, registry_, provider_,
                                          std::make_unique<OpenAiClient>(LlmConfig{}),
                                          "no language model in this test", AgentOptions{});
    mcp_server_ =
        std::make_unique<McpServer>(ServerIdentity{"t", "", "1", "", {}}, registry_, workers_);
    mcp_ = std::make_unique<StreamableHttp>(*mcp_server_, access_, sessions_);
    router_.add("*", "/mcp", [this](const HttpRequest& request) { return mcp_->handle(request); });
    router_.add("*", "/healthz",
                [this](const HttpRequest& request) { return mcp_->handle(request); });
    register_chat_routes(router_, access_, *chat_,
                         {provider_, [this] { return provider_.projects(); }});

    HttpServer::Options options;
    options.port = 0;
    options.threads = 4;
    http_ = std::make_unique<HttpServer>(
        options, [this](const HttpRequest& request) { return router_.route(request); });
    auto port = http_->bind();
    EXPECT_TRUE(port.ok()) << port.error().message;
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { http_->run(); });
  }
  ~ServedChat() {
    http_->stop();
    thread_.join();
    mcp_->shutdown();
    workers_.wait_idle();
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // Sends `request` byte for byte (a client library would normalise the very headers under
  // test) and returns the whole answer, up to the server closing the connection.
  std::string raw(const std::string& request) const {
    UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    timeval deadline{10, 0};
    ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ADD_FAILURE() << "cannot connect to the served port";
      return "";
    }
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = ::send(socket.get(), request.data() + sent, request.size() - sent, 0);
      if (n <= 0) return "";
      sent += static_cast<size_t>(n);
    }
    std::string answer;
    char chunk[4096];
    for (ssize_t n; (n = ::recv(socket.get(), chunk, sizeof chunk, 0)) > 0;)
      answer.append(chunk, n);
    return answer;
  }
  // The status code of the answer to a raw request, 0 when none came.
  int raw_status(const std::string& request) const {
    const std::string answer = raw(request);
    return answer.rfind("HTTP/1.", 0) == 0 && answer.size() > 12 ? std::stoi(answer.substr(9, 3))
                                                                 : 0;
  }

  Reply fetch(const std::string& method, const std::string& target,
              std::vector<std::pair<std::string, std::string>> headers = {},
              const std::string& body = "", const std::string& content_type = "application/json") {
    HttpClientRequest request;
    request.origin = origin();
    request.method = method;
    request.path = target;
    request.headers = std::move(headers);
    request.body = body;
    request.content_type = content_type;
    Reply reply;
    auto exchange = make_http_exchange(std::move(request));
    EXPECT_TRUE(exchange.ok()) << exchange.error().message;
    if (!exchange.ok()) return reply;
    const auto outcome = (*exchange)->run(
        [&](const HttpResponseHead& head) {
          reply.status = head.status;
          reply.headers = head.headers;
        },
        [&](std::string_view chunk) {
          reply.body.append(chunk);
          return true;
        });
    EXPECT_TRUE(outcome.completed) << outcome.transport_error;
    return reply;
  }

 private:
  TempDir state_;
  WorkspaceFixtureDirs dirs_;
  SingleWorkspaceProvider provider_;
  ToolRegistry registry_;
  std::unique_ptr<Database> database_;
  Repositories repositories_;  // over database_
  std::unique_ptr<ChatService> chat_;
  WorkerPool workers_;
  SessionStore sessions_;
  HttpAccess access_;
  std::unique_ptr<McpServer> mcp_server_;
  std::unique_ptr<StreamableHttp> mcp_;
  HttpRouter router_;
  std::unique_ptr<HttpServer> http_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace benchtop::testing
