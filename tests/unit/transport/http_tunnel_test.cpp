// Requests routed to tunnels (HttpServer::Options::tunnels, what live previews use): the head goes
// to `open` unread-body and all, its answer is either sent as a response or the connection becomes
// a pipe to the upstream socket it returns. The upstream here is one end of a socketpair the test
// holds, so every byte that crosses is checked.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "support/raw_http_client.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;
using test::RawClient;
using test::ServingHttpServer;
using test::status_of;

class HttpTunnelTest : public ::testing::Test {
 protected:
  HttpServer::Options options(std::chrono::milliseconds idle = 30s) {
    HttpServer::Options options;
    options.tunnels.claims = [](std::string_view host) { return host == "tunnel.test"; };
    options.tunnels.open = [this](const TunnelRequest& request) { return open(request); };
    options.tunnels.idle_timeout = idle;
    return options;
  }

  TunnelAnswer open(const TunnelRequest& request) {
    std::lock_guard lock(mutex_);
    seen_.push_back(request);
    TunnelAnswer answer;
    if (request.head.path == "/refused") {
      HttpResponse refusal;
      refusal.status = 401;
      refusal.body = "no";
      answer.response = refusal;
      return answer;
    }
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      answer.response = HttpResponse::empty(500);
      return answer;
    }
    answer.upstream.reset(pair[0]);
    upstreams_.emplace_back(UniqueFd(pair[1]));
    opened_.notify_all();
    answer.head = "REWRITTEN " + request.target + "\r\n\r\n";
    return answer;
  }

  static HttpResponse handler(const HttpRequest&) {
    HttpResponse response;
    response.body = "handled here";
    return response;
  }

  // The upstream of the first tunnel, once open() made it (open runs on a handler thread).
  RawClient& first_upstream() {
    std::unique_lock lock(mutex_);
    if (!opened_.wait_for(lock, 10s, [this] { return !upstreams_.empty(); })) {
      ADD_FAILURE() << "no tunnel was opened";
      upstreams_.emplace_back(UniqueFd());  // an invalid end: the test's reads then fail
    }
    return upstreams_.front();
  }

  std::mutex mutex_;
  std::condition_variable opened_;
  std::vector<TunnelRequest> seen_;
  std::deque<RawClient> upstreams_;  // the test's ends of the upstream connections
};

TEST_F(HttpTunnelTest, OtherHostsGoToTheHandler) {
  ServingHttpServer server(options(), handler);
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  const std::string response = client.read_response();
  EXPECT_EQ(status_of(response), 200);
  EXPECT_NE(response.find("handled here"), std::string::npos);
  std::lock_guard lock(mutex_);
  EXPECT_TRUE(seen_.empty());
}

TEST_F(HttpTunnelTest, TheHeadIsRewrittenAndTheBodyAndAnswerPassUnchanged) {
  ServingHttpServer server(options(), handler);
  RawClient client(server.port());
  // The body's start arrives with the head; its end later, after the tunnel exists.
  ASSERT_TRUE(client.send(
      "POST /submit?a=%20b HTTP/1.1\r\nHost: tunnel.test\r\nContent-Length: 10\r\n\r\nhello"));
  RawClient& up = first_upstream();
  ASSERT_TRUE(up.receives("hello"));
  EXPECT_EQ(up.received(), "REWRITTEN /submit?a=%20b\r\n\r\nhello");
  ASSERT_TRUE(client.send("world"));
  ASSERT_TRUE(up.receives("world"));
  EXPECT_EQ(up.received(), "REWRITTEN /submit?a=%20b\r\n\r\nhelloworld");
  {
    std::lock_guard lock(mutex_);
    ASSERT_EQ(seen_.size(), 1u);
    EXPECT_EQ(seen_[0].head.method, "POST");
    EXPECT_EQ(seen_[0].head.path, "/submit");
    EXPECT_EQ(seen_[0].head.query_param("a"), " b");
    EXPECT_EQ(seen_[0].head.header("host"), "tunnel.test");
    EXPECT_TRUE(seen_[0].head.body.empty());
    EXPECT_EQ(seen_[0].version, 11u);
  }
  ASSERT_TRUE(up.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  ASSERT_TRUE(client.receives("ok"));
  EXPECT_EQ(client.received(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  up.close();
  EXPECT_TRUE(client.wait_closed(10s));
}

TEST_F(HttpTunnelTest, BytesFlowBothWaysAfterAnUpgradeAndHalfClosesPass) {
  ServingHttpServer server(options(), handler);
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("GET /ws HTTP/1.1\r\nHost: tunnel.test\r\nConnection: Upgrade\r\nUpgrade: "
                  "websocket\r\n\r\n"));
  RawClient* up = &first_upstream();
  ASSERT_TRUE(up->receives("\r\n\r\n"));
  ASSERT_TRUE(up->send("HTTP/1.1 101 Switching Protocols\r\n\r\n"));
  ASSERT_TRUE(client.receives("\r\n\r\n"));
  for (int round = 0; round < 3; ++round) {
    const std::string ping = "ping " + std::to_string(round);
    ASSERT_TRUE(client.send(ping));
    EXPECT_TRUE(up->receives(ping));
    const std::string pong = "pong " + std::to_string(round);
    ASSERT_TRUE(up->send(pong));
    EXPECT_TRUE(client.receives(pong));
  }
  // The client is done sending; the upstream still answers before it closes.
  ::shutdown(client.fd(), SHUT_WR);
  EXPECT_TRUE(up->wait_closed(10s)) << "the end of the client's stream reaches the upstream";
  ASSERT_TRUE(up->send("last words"));
  ::shutdown(up->fd(), SHUT_WR);
  EXPECT_TRUE(client.receives("last words"));
  EXPECT_TRUE(client.wait_closed(10s));
}

TEST_F(HttpTunnelTest, ARefusalIsAnsweredAndTheConnectionEnds) {
  ServingHttpServer server(options(), handler);
  RawClient client(server.port());
  ASSERT_TRUE(
      client.send("POST /refused HTTP/1.1\r\nHost: tunnel.test\r\nContent-Length: 5\r\n\r\n"
                  "abcde"));
  const std::string response = client.read_response();
  EXPECT_EQ(status_of(response), 401);
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  EXPECT_TRUE(client.wait_closed(10s));
}

TEST_F(HttpTunnelTest, AnIdleTunnelIsClosed) {
  ServingHttpServer server(options(300ms), handler);
  RawClient client(server.port());
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: tunnel.test\r\n\r\n"));
  RawClient* up = &first_upstream();
  // Nothing crosses: both ends see the tunnel end.
  EXPECT_TRUE(up->wait_closed(10s));
  EXPECT_TRUE(client.wait_closed(10s));
}

TEST_F(HttpTunnelTest, StoppingTheServerEndsOpenTunnels) {
  RawClient* up = nullptr;
  RawClient* client_seen = nullptr;
  std::optional<RawClient> client;
  {
    ServingHttpServer server(options(), handler);
    client.emplace(server.port());
    client_seen = &*client;
    ASSERT_TRUE(client->send("GET / HTTP/1.1\r\nHost: tunnel.test\r\n\r\n"));
    up = &first_upstream();
    ASSERT_TRUE(up->receives("\r\n\r\n"));
  }
  EXPECT_TRUE(client_seen->wait_closed(10s));
  EXPECT_TRUE(up->wait_closed(10s));
}

}  // namespace
}  // namespace benchtop
