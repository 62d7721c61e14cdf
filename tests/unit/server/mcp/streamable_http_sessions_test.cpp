// The life of 2025-revision HTTP sessions, driven through StreamableHttp::handle() with in-process
// requests: a flood of `initialize` requests neither locks new clients out nor evicts a session in
// use, a full table evicts the least recently used idle session, unfinished handshakes expire
// early, and a session that ends takes its calls with it (cancelled, or never started). Also how
// stateless 2026-07-28 requests count against the per-client cap (by peer address).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "tests/support/streamable_http_fixture.h"

namespace benchtop::testing {
namespace {

using HttpSessionsTest = StreamableHttpFixture;

// Many times the table's size in `initialize` requests that never finish their handshake: every
// one is answered, the session established before keeps working, and a new client still gets in.
// (Before, the table filled and everyone got 503 until the idle timeout.)
TEST_F(HttpSessionsTest, AnInitializeFloodLeavesEstablishedSessionsWorking) {
  constexpr size_t kTable = 64;
  start(kTable);
  const std::string established = open_session();
  ASSERT_EQ(list_status(established), 200);

  for (size_t i = 0; i < 40 * kTable; ++i) {
    HttpResponse response =
        post("", jsonrpc::make_request(1, "initialize", {{"protocolVersion", kVersion}}));
    ASSERT_EQ(response.status, 200) << "initialize #" << i << ": " << response.body;
  }
  EXPECT_LE(sessions_->size(), kTable);
  EXPECT_EQ(list_status(established), 200);

  const std::string newcomer = open_session();
  EXPECT_EQ(list_status(newcomer), 200);
  EXPECT_EQ(list_status(established), 200);
}

TEST_F(HttpSessionsTest, AFullTableEvictsTheLeastRecentlyUsedIdleSession) {
  start(3);
  const std::string a = open_session();
  const std::string b = open_session();
  const std::string c = open_session();
  ASSERT_EQ(list_status(a), 200);  // b is now the least recently used

  const std::string d = open_session();
  EXPECT_EQ(list_status(b), 404);
  EXPECT_EQ(list_status(a), 200);
  EXPECT_EQ(list_status(c), 200);
  EXPECT_EQ(list_status(d), 200);
}

TEST_F(HttpSessionsTest, SessionsInUseAreNeverEvicted) {
  start(2);
  const std::string a = open_session();
  const std::string b = open_session();
  start_call(a, "hold");
  start_call(b, "hold");
  ASSERT_TRUE(probe_.wait_started(2));

  HttpResponse refused =
      post("", jsonrpc::make_request(1, "initialize", {{"protocolVersion", kVersion}}));
  EXPECT_EQ(refused.status, 503) << refused.body;

  probe_.release();
  workers_->wait_idle();  // both calls answered: the sessions are idle again
  const std::string c = open_session();
  EXPECT_EQ(list_status(c), 200);
  EXPECT_EQ(list_status(a) == 200, list_status(b) != 200) << "exactly one of a, b was evicted";
}

TEST_F(HttpSessionsTest, UnfinishedHandshakesExpireEarly) {
  start(16);
  const std::string unfinished = open_session(/*confirm=*/false);
  const std::string confirmed = open_session();
  const std::string used = open_session(/*confirm=*/false);
  ASSERT_EQ(list_status(used), 200);  // a later request finishes the handshake too

  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(sessions_->expire_idle(now + kHandshakeTimeout / 2), 0u);
  EXPECT_EQ(sessions_->expire_idle(now + kHandshakeTimeout + 1s), 1u);
  EXPECT_EQ(list_status(unfinished), 404);
  EXPECT_EQ(list_status(confirmed), 200);
  EXPECT_EQ(list_status(used), 200);

  // Established sessions last until the idle timeout.
  EXPECT_EQ(sessions_->expire_idle(std::chrono::steady_clock::now() + kIdleTimeout + 1s), 2u);
  EXPECT_EQ(list_status(confirmed), 404);
}

// However a session ends, the calls it still has in flight are cancelled: the blocked tools (one
// quick, one long-running) see their cancellation. (An idle session used to be kept forever
// while a call was in flight.)
class EndSessionTest : public HttpSessionsTest,
                       public ::testing::WithParamInterface<const char*> {};

TEST_P(EndSessionTest, CancelsItsCalls) {
  start(8);
  const std::string session = open_session();
  start_call(session, "block");
  start_call(session, "hold", 4);
  ASSERT_TRUE(probe_.wait_started(2));
  if (std::string(GetParam()) == "Delete") {
    EXPECT_EQ(http_->handle(request("DELETE", session)).status, 200);
  } else {
    EXPECT_EQ(sessions_->expire_idle(std::chrono::steady_clock::now() + kIdleTimeout + 1s), 1u);
  }
  EXPECT_TRUE(probe_.wait_cancelled(2));
  EXPECT_EQ(list_status(session), 404);
}

INSTANTIATE_TEST_SUITE_P(Ways, EndSessionTest, ::testing::Values("Delete", "IdleExpiry"),
                         [](const auto& info) { return std::string(info.param); });

// A call still waiting for a quick-pool thread when its session ends never starts.
TEST_F(HttpSessionsTest, AQueuedCallOfAnEndedSessionNeverRuns) {
  start(8, /*quick_threads=*/1);
  const std::string session = open_session();
  start_call(session, "hold");
  ASSERT_TRUE(probe_.wait_started(1));
  start_call(session, "count", 4);  // queued behind hold
  EXPECT_EQ(http_->handle(request("DELETE", session)).status, 200);
  probe_.release();
  workers_->wait_idle();
  EXPECT_EQ(counted_.load(), 0);
}

// Stateless 2026-07-28 requests count against the per-client cap by peer address.
TEST_F(HttpSessionsTest, StatelessRequestsShareTheirPeersLongCallBudget) {
  start(8, 2, LongCallLimits{.threads = 8, .per_project = 8, .per_client = 1});
  auto modern_call = [&](const std::string& peer, int id) {
    const json body =
        jsonrpc::make_request(id, "tools/call",
                              {{"name", "block"},
                               {"arguments", json::object()},
                               {"_meta",
                                {{"io.modelcontextprotocol/protocolVersion", test::kModernVersion},
                                 {"io.modelcontextprotocol/clientCapabilities", json::object()}}}});
    HttpRequest post = request("POST", "", body);
    post.remote_address = peer;
    post.headers.emplace_back("MCP-Protocol-Version", test::kModernVersion);
    post.headers.emplace_back("Mcp-Method", "tools/call");
    post.headers.emplace_back("Mcp-Name", "block");
    return http_->handle(post);
  };
  HttpResponse first = modern_call("192.0.2.1", 1);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_TRUE(probe_.wait_started(1));

  HttpResponse same_peer = modern_call("192.0.2.1", 2);
  ASSERT_EQ(same_peer.status, 200) << same_peer.body;
  const json refused = json::parse(same_peer.body);
  EXPECT_TRUE(refused["result"]["isError"].get<bool>()) << refused;
  EXPECT_NE(refused["result"]["content"][0]["text"].get<std::string>().find(
                "you already have 1 long-running call in progress"),
            std::string::npos)
      << refused;

  HttpResponse other_peer = modern_call("192.0.2.2", 3);
  EXPECT_EQ(other_peer.status, 200) << other_peer.body;
  EXPECT_TRUE(probe_.wait_started(2));
}

}  // namespace
}  // namespace benchtop::testing
