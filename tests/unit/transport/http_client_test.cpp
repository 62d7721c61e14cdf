#include "transport/http_client.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "transport/http_server.h"

namespace benchtop {
namespace {

// A real HTTP server on a free loopback port, serving whatever `handler` answers.
class LoopbackServer {
 public:
  explicit LoopbackServer(HttpHandler handler) : server_(options(), std::move(handler)) {
    auto port = server_.bind();
    EXPECT_TRUE(port.ok()) << port.error().message;
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { server_.run(); });
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  static HttpServer::Options options() {
    HttpServer::Options o;
    o.port = 0;
    o.threads = 4;
    return o;
  }
  HttpServer server_;
  int port_ = 0;
  std::thread thread_;
};

HttpClientRequest post(const std::string& origin, std::string path) {
  HttpClientRequest request;
  request.origin = origin;
  request.path = std::move(path);
  request.body = R"({"hello":1})";
  request.bearer_token = "sekret";
  return request;
}

TEST(HttpClientTest, StreamsTheBodyAfterTheHead) {
  LoopbackServer server([](const HttpRequest& request) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.headers.emplace_back("Retry-After", "3");
    const std::string auth = request.header("Authorization").value_or("");
    const std::string body = request.body;
    response.stream = [auth, body](StreamWriter& writer) {
      writer.write("data: " + auth + "\n\n");
      writer.write("data: " + body + "\n\n");
    };
    return response;
  });
  auto exchange = make_http_exchange(post(server.origin(), "/v1/chat"));
  ASSERT_TRUE(exchange.ok()) << exchange.error().message;
  HttpResponseHead head;
  std::string received;
  bool head_first = false;
  auto outcome = (*exchange)->run(
      [&](const HttpResponseHead& h) {
        head = h;
        head_first = received.empty();
      },
      [&](std::string_view chunk) {
        received.append(chunk);
        return true;
      });
  EXPECT_TRUE(outcome.completed) << outcome.transport_error;
  EXPECT_TRUE(head_first);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("retry-after"), "3");
  EXPECT_EQ(received, "data: Bearer sekret\n\ndata: {\"hello\":1}\n\n");
}

TEST(HttpClientTest, AbortStopsASlowStreamFromAnotherThread) {
  std::mutex mutex;
  std::condition_variable cv;
  bool finish = false;
  LoopbackServer server([&](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.stream = [&](StreamWriter& writer) {
      writer.write("data: first\n\n");
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return finish; });
    };
    return response;
  });
  auto exchange = make_http_exchange(post(server.origin(), "/slow"));
  ASSERT_TRUE(exchange.ok());
  std::promise<void> first_chunk;
  bool signalled = false;
  auto running = std::async(std::launch::async, [&] {
    return (*exchange)->run({}, [&](std::string_view) {
      if (!signalled) {
        signalled = true;
        first_chunk.set_value();
      }
      return true;
    });
  });
  first_chunk.get_future().wait();
  (*exchange)->abort();
  const HttpExchangeOutcome outcome = running.get();
  EXPECT_FALSE(outcome.completed);
  EXPECT_EQ(outcome.transport_error, "aborted");
  {
    std::lock_guard lock(mutex);
    finish = true;
  }
  cv.notify_all();
}

TEST(HttpClientTest, RefusedConnectionsAndBadOriginsAreErrors) {
  EXPECT_EQ(make_http_exchange(post("ftp://example.com", "/")).error().code, "invalid_url");
  // Port 1 on loopback: nothing listens there.
  auto exchange = make_http_exchange(post("http://127.0.0.1:1", "/"));
  ASSERT_TRUE(exchange.ok());
  auto outcome = (*exchange)->run({}, {});
  EXPECT_FALSE(outcome.completed);
  EXPECT_FALSE(outcome.got_response);
  EXPECT_FALSE(outcome.transport_error.empty());
}

}  // namespace
}  // namespace benchtop
