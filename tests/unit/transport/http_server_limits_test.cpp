// The HTTP server against clients that are slow, numerous, or gone: whole-request deadlines,
// connection caps per peer and in total, paths answered without a handler thread, and the
// cancellation of a request whose client closed. Real sockets on free loopback ports; 127.0.0.x
// addresses play distinct peers.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/raw_http_client.h"

namespace benchtop {
namespace {

using namespace std::chrono_literals;
using test::RawClient;
using test::status_of;
using test::SteadyClock;

// Lets a test hold handlers until it decides, and count how many are waiting.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int waiting = 0;
  int entered = 0;

  void pass() {
    std::unique_lock lock(mutex);
    ++waiting;
    ++entered;
    changed.notify_all();
    changed.wait_for(lock, 30s, [&] { return open; });
    --waiting;
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    changed.notify_all();
  }
  bool wait_for_waiting(int count, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return waiting >= count; });
  }
};

HttpResponse ok_text(const HttpRequest& request) {
  return HttpResponse::json(200, R"({"path":")" + request.path + R"("})");
}

HttpServer::Options base_options() {
  HttpServer::Options options;
  options.threads = 8;
  options.inline_paths = {"/healthz"};
  return options;
}

// GET /healthz from `from`; how long the answer took, or nullopt when it was not a 200.
std::optional<std::chrono::milliseconds> timed_healthz(int port, const char* from) {
  const auto start = SteadyClock::now();
  RawClient client(port, from);
  if (!client.valid() || !client.send(test::get_request("/healthz"))) return std::nullopt;
  if (status_of(client.read_response(5s)) != 200) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

// A client sending its header one byte at a time; each byte alone would reset a per-read timeout.
struct Trickler {
  std::unique_ptr<RawClient> client;
  SteadyClock::time_point opened;
  std::optional<SteadyClock::time_point> closed;
};

TEST(HttpServerLimitsTest, TrickledHeadersAreCutAtTheHeaderDeadlineAndHealthzStillAnswers) {
  auto options = base_options();
  options.header_timeout = 1500ms;
  options.max_connections = 300;
  std::atomic<int> handled{0};
  test::ServingHttpServer server(options, [&](const HttpRequest& request) {
    ++handled;
    return ok_text(request);
  });
  ASSERT_NE(server.port(), 0);

  constexpr int kClients = 200;
  const char* peers[] = {"127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13"};
  std::vector<Trickler> tricklers;
  for (int i = 0; i < kClients; ++i) {
    Trickler trickler{std::make_unique<RawClient>(server.port(), peers[i % 4]), SteadyClock::now(),
                      std::nullopt};
    ASSERT_TRUE(trickler.client->valid());
    ASSERT_TRUE(trickler.client->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
    tricklers.push_back(std::move(trickler));
  }

  // While they trickle, /healthz from another peer answers at once.
  const auto first = timed_healthz(server.port(), "127.0.0.1");
  ASSERT_TRUE(first.has_value());
  EXPECT_LT(first->count(), 1000);

  // One byte each every 100 ms until every connection is closed by the server (bounded).
  const auto give_up = SteadyClock::now() + options.header_timeout + 8s;
  int open = kClients;
  bool asked_again = false;
  while (open > 0 && SteadyClock::now() < give_up) {
    for (auto& trickler : tricklers) {
      if (trickler.closed) continue;
      trickler.client->send("a");
      if (trickler.client->wait_closed(0ms)) {
        trickler.closed = SteadyClock::now();
        --open;
      }
    }
    if (!asked_again && SteadyClock::now() - tricklers.front().opened > 700ms) {
      asked_again = true;
      const auto again = timed_healthz(server.port(), "127.0.0.2");
      ASSERT_TRUE(again.has_value());
      EXPECT_LT(again->count(), 1000);
    }
    ::poll(nullptr, 0, 100);  // the trickle's pace
  }
  EXPECT_EQ(open, 0) << "connections still open after the header deadline";
  for (const auto& trickler : tricklers) {
    if (!trickler.closed) continue;
    // Cut by the deadline: not before it, and not long after.
    EXPECT_GE(*trickler.closed - trickler.opened, options.header_timeout - 200ms);
    EXPECT_LE(*trickler.closed - trickler.opened, options.header_timeout + 4s);
  }
  EXPECT_EQ(handled.load(), 2);  // only the two complete /healthz requests
}

TEST(HttpServerLimitsTest, SlowBodyIsCutAtTheBodyDeadline) {
  auto options = base_options();
  options.body_timeout = 1000ms;
  options.min_body_rate = 1000;  // each byte received extends the deadline by 1 ms
  std::atomic<int> handled{0};
  test::ServingHttpServer server(options, [&](const HttpRequest& request) {
    ++handled;
    return ok_text(request);
  });

  RawClient slow(server.port());
  ASSERT_TRUE(
      slow.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 1000\r\n\r\n{"));
  const auto start = SteadyClock::now();
  while (!slow.wait_closed(100ms) && SteadyClock::now() - start < 10s) slow.send("x");
  const auto elapsed = SteadyClock::now() - start;
  EXPECT_TRUE(slow.closed());
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 4s);
  EXPECT_EQ(handled.load(), 0);

  // A body sent at once is served.
  RawClient quick(server.port());
  ASSERT_TRUE(
      quick.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                 "Connection: close\r\n\r\n{}"));
  EXPECT_EQ(status_of(quick.read_response()), 200);
}

TEST(HttpServerLimitsTest, OversizedBodiesGet413WithAJsonRpcError) {
  auto options = base_options();
  options.max_body_bytes = 1024;
  std::atomic<int> handled{0};
  test::ServingHttpServer server(options, [&](const HttpRequest& request) {
    ++handled;
    return ok_text(request);
  });
  struct Case {
    const char* name;
    std::string request;
  };
  const std::string big(2000, 'x');
  const std::vector<Case> cases = {
      {"declared length", "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n"},
      {"chunked",
       "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" + big +
           "\r\n0\r\n\r\n"},
  };
  for (const auto& c : cases) {
    RawClient client(server.port());
    ASSERT_TRUE(client.send(c.request)) << c.name;
    const std::string response = client.read_response();
    EXPECT_EQ(status_of(response), 413) << c.name << ": " << response;
    EXPECT_NE(response.find(R"("code":-32600)"), std::string::npos) << c.name;
    EXPECT_NE(response.find("Message too large: the limit is 1024 bytes"), std::string::npos)
        << c.name;
    EXPECT_TRUE(client.wait_closed(5s)) << c.name;
  }
  EXPECT_EQ(handled.load(), 0);
}

// Idle connections, one from each of `peers`.
std::vector<std::unique_ptr<RawClient>> hold(int port, const std::vector<const char*>& peers) {
  std::vector<std::unique_ptr<RawClient>> held;
  for (const char* peer : peers) {
    held.push_back(std::make_unique<RawClient>(port, peer));
    EXPECT_TRUE(held.back()->valid()) << peer;
  }
  return held;
}

// A request from `peer` is not served and its connection is closed.
void expect_refused(int port, const char* peer) {
  RawClient excess(port, peer);
  excess.send(test::get_request("/api"));
  const std::string refused = excess.read_response(5s);
  EXPECT_NE(status_of(refused), 200) << refused;
  EXPECT_TRUE(excess.wait_closed(5s));
}

TEST(HttpServerLimitsTest, PeerOverItsCapIsRefusedWhileOthersAreServed) {
  auto options = base_options();
  options.max_connections_per_peer = 4;
  options.max_connections = 100;
  test::ServingHttpServer server(options, ok_text);

  auto held = hold(server.port(), {"127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2"});
  // Connections are admitted in the order they were accepted: the fifth is over the cap.
  expect_refused(server.port(), "127.0.0.2");

  RawClient other(server.port(), "127.0.0.3");
  ASSERT_TRUE(other.send(test::get_request("/api")));
  EXPECT_EQ(status_of(other.read_response()), 200);

  // A held connection closing gives its place back.
  held.front()->close();
  bool served = false;
  for (const auto give_up = SteadyClock::now() + 5s; !served && SteadyClock::now() < give_up;) {
    RawClient again(server.port(), "127.0.0.2");
    again.send(test::get_request("/api"));
    served = status_of(again.read_response(1s)) == 200;
  }
  EXPECT_TRUE(served);
}

TEST(HttpServerLimitsTest, ConnectionsOverTheTotalCapAreRefused) {
  auto options = base_options();
  options.max_connections_per_peer = 4;
  options.max_connections = 6;
  test::ServingHttpServer server(options, ok_text);
  auto held = hold(server.port(),
                   {"127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3", "127.0.0.3"});
  expect_refused(server.port(), "127.0.0.4");
}

TEST(HttpServerLimitsTest, LongRunningHandlersDoNotDelayInlinePaths) {
  auto options = base_options();
  options.threads = 8;
  options.max_connections_per_peer = 100;
  Gate gate;
  test::ServingHttpServer server(options, [&](const HttpRequest& request) {
    if (request.path == "/slow") gate.pass();
    return ok_text(request);
  });

  constexpr int kSlow = 70;
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawClient>(server.port(), "127.0.0.2"));
    ASSERT_TRUE(slow.back()->send(test::get_request("/slow")));
  }
  // Every handler thread is taken, and requests wait behind them.
  ASSERT_TRUE(gate.wait_for_waiting(static_cast<int>(options.threads)));

  const auto health = timed_healthz(server.port(), "127.0.0.3");
  ASSERT_TRUE(health.has_value());
  EXPECT_LT(health->count(), 1000);

  gate.release();
  for (auto& client : slow) EXPECT_EQ(status_of(client->read_response(20s)), 200);
  std::lock_guard lock(gate.mutex);
  EXPECT_EQ(gate.entered, kSlow);
}

TEST(HttpServerLimitsTest, ClientClosingCancelsItsRequest) {
  Gate started;
  std::mutex mutex;
  std::condition_variable changed;
  bool cancelled = false;
  test::ServingHttpServer server(base_options(), [&](const HttpRequest& request) {
    request.client_gone.on_cancel([&] {
      std::lock_guard lock(mutex);
      cancelled = true;
      changed.notify_all();
    });
    started.release();
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 20s, [&] { return cancelled; });
    return ok_text(request);
  });

  RawClient client(server.port());
  ASSERT_TRUE(client.send(test::get_request("/work", false)));
  {
    std::unique_lock lock(started.mutex);
    ASSERT_TRUE(started.changed.wait_for(lock, 10s, [&] { return started.open; }));
  }
  client.close();
  std::unique_lock lock(mutex);
  EXPECT_TRUE(changed.wait_for(lock, 3s, [&] { return cancelled; }));
}

TEST(HttpServerLimitsTest, StreamEventsArriveUnbufferedAndWritesFailOnceTheClientIsGone) {
  Gate next;
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<bool> later_write;
  test::ServingHttpServer server(base_options(), [&](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.stream = [&](StreamWriter& writer) {
      writer.write("data: first\n\n");
      next.pass();
      // The client is gone by now: some write soon fails (bounded).
      bool alive = true;
      for (int i = 0; i < 200 && alive; ++i) {
        alive = writer.write("data: more\n\n");
        if (alive) ::poll(nullptr, 0, 10);
      }
      std::lock_guard lock(mutex);
      later_write = alive;
      changed.notify_all();
    };
    return response;
  });

  RawClient client(server.port());
  ASSERT_TRUE(client.send(test::get_request("/events", false)));
  const std::string head = client.read_until(
      [](const std::string& text) { return text.find("data: first") != std::string::npos; }, 5s);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_NE(head.find("data: first"), std::string::npos) << head;
  ASSERT_TRUE(next.wait_for_waiting(1));
  client.close();
  next.release();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return later_write.has_value(); }));
  EXPECT_FALSE(*later_write);
}

TEST(HttpServerLimitsTest, KeepAliveServesRequestsInTurnWithDecodedTargets) {
  std::mutex mutex;
  std::vector<HttpRequest> seen;
  test::ServingHttpServer server(base_options(), [&](const HttpRequest& request) {
    std::lock_guard lock(mutex);
    seen.push_back(request);
    return ok_text(request);
  });
  RawClient client(server.port());
  ASSERT_TRUE(client.send(test::get_request("/a%20b?x=1&y=two+words&z=%2F", false)));
  EXPECT_EQ(status_of(client.read_response()), 200);
  client.forget_received();
  ASSERT_TRUE(client.send(test::get_request("/second")));
  EXPECT_EQ(status_of(client.read_response()), 200);
  EXPECT_TRUE(client.wait_closed(5s));  // Connection: close was honoured

  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/a b");
  EXPECT_EQ(seen[0].query_param("y"), "two words");
  EXPECT_EQ(seen[0].query_param("z"), "/");
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1");
  EXPECT_EQ(seen[0].remote_address, "127.0.0.1");
  EXPECT_EQ(seen[1].path, "/second");
}

TEST(HttpServerLimitsTest, IdleKeptAliveConnectionIsClosed) {
  auto options = base_options();
  options.idle_timeout = 500ms;
  test::ServingHttpServer server(options, ok_text);
  RawClient client(server.port());
  ASSERT_TRUE(client.send(test::get_request("/a", false)));
  EXPECT_EQ(status_of(client.read_response()), 200);
  const auto start = SteadyClock::now();
  EXPECT_TRUE(client.wait_closed(5s));
  EXPECT_GE(SteadyClock::now() - start, 400ms);
}

TEST(HttpServerLimitsTest, StopBeforeRunReturnsAtOnce) {
  HttpServer::Options options = base_options();
  options.port = 0;
  HttpServer server(options, ok_text);
  ASSERT_TRUE(server.bind().ok());
  server.stop();
  server.run();  // returns: the stop was not lost
}

}  // namespace
}  // namespace benchtop
