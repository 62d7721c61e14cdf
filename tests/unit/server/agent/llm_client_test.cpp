#include "server/agent/llm_client.h"

#include <gtest/gtest.h>

#include <map>

#include "server/agent/completion_stream.h"
#include "server/agent/secret_scrub.h"
#include "tests/support/scripted_llm_server.h"

namespace benchtop {
namespace {

using namespace benchtop::testing;
using namespace std::chrono_literals;

std::vector<std::string> parse_all(const std::vector<std::string>& pieces) {
  SseDataParser parser;
  std::vector<std::string> out;
  auto sink = [&](const std::string& data) { out.push_back(data); };
  for (const auto& piece : pieces) parser.feed(piece, sink);
  parser.finish(sink);
  return out;
}

TEST(SseDataParserTest, JoinsEventsSplitAnywhereAcrossReads) {
  const std::string stream =
      "data: {\"a\":1}\n\n: keep-alive\n\nevent: x\r\ndata: two\r\ndata: "
      "lines\r\n\r\ndata:[DONE]\n\n";
  // Every split point gives the same events.
  for (size_t split = 0; split <= stream.size(); ++split) {
    const auto events = parse_all({stream.substr(0, split), stream.substr(split)});
    ASSERT_EQ(events.size(), 3u) << "split at " << split;
    EXPECT_EQ(events[0], "{\"a\":1}");
    EXPECT_EQ(events[1], "two\nlines");
    EXPECT_EQ(events[2], "[DONE]");
  }
}

TEST(SseDataParserTest, FlushesAnUnterminatedLastEvent) {
  EXPECT_EQ(parse_all({"data: tail"}), std::vector<std::string>{"tail"});
}

TEST(CompletionAccumulatorTest, AssemblesToolCallsFromFragmentsAndKeepsUsage) {
  std::string streamed;
  CompletionAccumulator acc([&](const std::string& delta) { streamed += delta; });
  auto payload = [](const std::string& sse) { return sse.substr(6, sse.size() - 8); };
  acc.add(payload(text_chunk("Let me ")));
  acc.add(payload(text_chunk("look.")));
  acc.add(payload(tool_chunk(0, "call_a", "fs_read", "{\"pa")));
  acc.add(payload(tool_chunk(1, "call_b", "fs_list", "{}")));
  acc.add(payload(tool_chunk(0, "", "", "th\":\"x.txt\"}")));
  acc.add("{not json");
  acc.add(payload(finish_chunk("tool_calls")));
  acc.add(payload(usage_chunk(11, 4)));
  acc.add("[DONE]");
  EXPECT_TRUE(acc.done());
  const Completion completion = acc.take();
  EXPECT_EQ(streamed, "Let me look.");
  EXPECT_EQ(completion.content, "Let me look.");
  ASSERT_EQ(completion.tool_calls.size(), 2u);
  EXPECT_EQ(completion.tool_calls[0].id, "call_a");
  EXPECT_EQ(completion.tool_calls[0].name, "fs_read");
  EXPECT_EQ(completion.tool_calls[0].arguments, "{\"path\":\"x.txt\"}");
  EXPECT_EQ(completion.tool_calls[1].name, "fs_list");
  EXPECT_EQ(completion.finish_reason, "tool_calls");
  EXPECT_EQ(completion.usage.prompt_tokens, 11);
  EXPECT_EQ(completion.usage.total_tokens, 15);
  EXPECT_EQ(completion.malformed_chunks, 1u);
}

TEST(LlmConfigTest, PrefersBenchtopVariablesAndFallsBackToOpenAi) {
  std::map<std::string, std::string, std::less<>> env = {
      {"OPENAI_API_KEY", "sk-openai"},
      {"OPENAI_BASE_URL", "https://fallback/v1"},
      {"BENCHTOP_LLM_BASE_URL", "http://127.0.0.1:9/v1/"},
      {"BENCHTOP_LLM_MODEL", "m1"}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  LlmConfig config = LlmConfig::from_environment(lookup);
  EXPECT_EQ(config.base_url, "http://127.0.0.1:9/v1");
  EXPECT_EQ(config.api_key, "sk-openai");
  EXPECT_EQ(config.model, "m1");
  EXPECT_EQ(config.describe().find("sk-openai"), std::string::npos);

  env.erase("BENCHTOP_LLM_BASE_URL");
  env.erase("OPENAI_BASE_URL");
  config = LlmConfig::from_environment(lookup);
  EXPECT_EQ(config.base_url, "https://api.openai.com/v1");

  env.clear();
  config = LlmConfig::from_environment(lookup);
  EXPECT_FALSE(config.configured());
  ASSERT_TRUE(config.missing());
  EXPECT_NE(config.missing()->find("BENCHTOP_LLM_BASE_URL"), std::string::npos);
}

TEST(LlmConfigTest, ParsesBaseUrls) {
  auto https = parse_llm_base_url("https://api.example.com:8443/openai/v1/");
  ASSERT_TRUE(https);
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->origin, "https://api.example.com:8443");
  EXPECT_EQ(https->path_prefix, "/openai/v1");
  auto plain = parse_llm_base_url("http://localhost:11434");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->path_prefix, "");
  EXPECT_FALSE(parse_llm_base_url("ftp://x"));
}

TEST(RetryDelayTest, HonoursRetryAfterAndBacksOffExponentially) {
  EXPECT_EQ(retry_delay(1, "2", 100ms, 30s), 2000ms);
  EXPECT_EQ(retry_delay(1, "120", 100ms, 30s), 30s);  // capped
  EXPECT_EQ(retry_delay(1, "", 100ms, 30s), 100ms);
  EXPECT_EQ(retry_delay(3, "", 100ms, 30s), 400ms);
  EXPECT_EQ(retry_delay(2, "Wed, 21 Oct 2015 07:28:00 GMT", 100ms, 30s), 200ms);
}

class OpenAiClientTest : public ::testing::Test {
 protected:
  LlmConfig config() const {
    LlmConfig c;
    c.base_url = server_.base_url();
    c.api_key = "sk-test-secret";
    c.model = "scripted-model";
    c.temperature = 0.25;
    c.max_tokens = 512;
    c.request_timeout = 10s;
    c.max_retries = 2;
    c.retry_base_delay = 1ms;
    return c;
  }
  ScriptedLlmServer server_;
};

TEST_F(OpenAiClientTest, StreamsTextAndAssemblesSplitToolCalls) {
  ScriptedReply reply =
      tool_call_reply("call_1", "fs_write", {{"path", "a.txt"}, {"content", "hi"}});
  reply.writes.insert(reply.writes.begin(), text_chunk("Writing."));
  server_.push(reply);
  OpenAiClient client(config());
  std::string streamed;
  const nlohmann::json tools = {{{"type", "function"}, {"function", {{"name", "fs_write"}}}}};
  ChatMessage user;
  user.role = ChatRole::kUser;
  user.content = "write a file";
  auto completion =
      client.complete({user}, tools, [&](const std::string& d) { streamed += d; }, {});
  ASSERT_TRUE(completion) << completion.error().message;
  EXPECT_EQ(streamed, "Writing.");
  ASSERT_EQ(completion->tool_calls.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(completion->tool_calls[0].arguments),
            (nlohmann::json{{"path", "a.txt"}, {"content", "hi"}}));
  EXPECT_EQ(completion->usage.total_tokens, 27);

  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["model"], "scripted-model");
  EXPECT_EQ(requests[0]["stream"], true);
  EXPECT_EQ(requests[0]["temperature"], 0.25);
  EXPECT_EQ(requests[0]["max_tokens"], 512);
  EXPECT_EQ(requests[0]["tools"], tools);
  EXPECT_EQ(requests[0]["messages"][0]["content"], "write a file");
  EXPECT_EQ(server_.authorizations()[0], "Bearer sk-test-secret");
  EXPECT_EQ(requests[0].dump().find("sk-test-secret"), std::string::npos);
}

TEST_F(OpenAiClientTest, RetriesAfter429ThenSucceeds) {
  server_.push(error_reply(429, "rate limited", {{"Retry-After", "0"}}));
  server_.push(text_reply("hello there"));
  std::vector<std::string> retries;
  OpenAiClient client(config(), [&](int, std::chrono::milliseconds, const std::string& why) {
    retries.push_back(why);
  });
  auto completion = client.complete({}, nlohmann::json::array(), {}, {});
  ASSERT_TRUE(completion) << completion.error().message;
  EXPECT_EQ(completion->content, "hello there");
  EXPECT_EQ(server_.requests().size(), 2u);
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_NE(retries[0].find("429"), std::string::npos);
  EXPECT_NE(retries[0].find("rate limited"), std::string::npos);
}

TEST_F(OpenAiClientTest, GivesUpAfterTheRetryBudgetOn5xx) {
  server_.set_fallback(error_reply(503, "overloaded"));
  OpenAiClient client(config());
  auto completion = client.complete({}, nlohmann::json::array(), {}, {});
  ASSERT_FALSE(completion);
  EXPECT_EQ(completion.error().code, "llm_http");
  EXPECT_NE(completion.error().message.find("overloaded"), std::string::npos);
  EXPECT_EQ(server_.requests().size(), 3u);  // 1 + max_retries
}

TEST_F(OpenAiClientTest, DoesNotRetryAClientError) {
  server_.set_fallback(error_reply(401, "bad key"));
  OpenAiClient client(config());
  auto completion = client.complete({}, nlohmann::json::array(), {}, {});
  ASSERT_FALSE(completion);
  EXPECT_NE(completion.error().message.find("401"), std::string::npos);
  EXPECT_EQ(completion.error().message.find("sk-test-secret"), std::string::npos);
  EXPECT_EQ(server_.requests().size(), 1u);
}

// Providers quote the key (whole or in part) and proxies echo the Authorization header: none of
// it may reach the client, whatever the shape of the error body.
TEST_F(OpenAiClientTest, ErrorBodiesAreScrubbedOfTheKey) {
  const std::vector<ScriptedReply> bodies = {
      error_reply(401, "Incorrect API key provided: sk-test-secret."),
      error_reply(401, "Incorrect API key provided: sk-test-*****cret. See your dashboard."),
      error_reply(403, "upstream rejected header 'Authorization: Bearer sk-test-secret'"),
      error_reply(400, "no: test-secret is invalid"),
      [] {
        ScriptedReply raw;
        raw.status = 401;
        raw.body = "<html>denied for Bearer abc.def.ghi and key sk-test-secret</html>";
        return raw;
      }(),
  };
  for (const auto& body : bodies) {
    server_.set_fallback(body);
    OpenAiClient client(config());
    auto completion = client.complete({}, nlohmann::json::array(), {}, {});
    ASSERT_FALSE(completion);
    const std::string& message = completion.error().message;
    EXPECT_EQ(message.find("test-secret"), std::string::npos) << message;
    EXPECT_EQ(message.find("sk-test"), std::string::npos) << message;
    EXPECT_EQ(message.find("abc.def.ghi"), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 4"), std::string::npos) << message;
  }
}

TEST(SecretScrubTest, RemovesTheKeyItsFragmentsBearerTokensAndKeyShapes) {
  EXPECT_EQ(scrub_secrets("bad key k3y:with:colons!", "k3y:with:colons"), "bad key ***!");
  EXPECT_EQ(scrub_secrets("starts sk-proj-abcdef1234 ends", ""), "starts *** ends");
  EXPECT_EQ(scrub_secrets("Authorization: bearer xyz", ""), "Authorization: bearer ***");
  EXPECT_EQ(scrub_secrets("the key AAAABBBBCC was wrong", "zzAAAABBBBCCzz"),
            "the key *** was wrong");
  EXPECT_EQ(scrub_secrets("model gpt-4o-mini not found", "sk-secret-value"),
            "model gpt-4o-mini not found");
}

TEST_F(OpenAiClientTest, SkipsAMalformedChunk) {
  ScriptedReply reply;
  reply.writes = {text_chunk("good "), "data: {\"choices\": [tru\n\n", text_chunk("answer"),
                  finish_chunk("stop"), done_marker()};
  server_.push(reply);
  OpenAiClient client(config());
  auto completion = client.complete({}, nlohmann::json::array(), {}, {});
  ASSERT_TRUE(completion) << completion.error().message;
  EXPECT_EQ(completion->content, "good answer");
  EXPECT_EQ(completion->malformed_chunks, 1u);
}

TEST_F(OpenAiClientTest, CancellationAbortsASlowStream) {
  ScriptedReply reply;
  reply.writes = {text_chunk("thinking")};
  reply.hang = true;
  server_.push(reply);
  OpenAiClient client(config());
  CancellationSource cancel;
  // Cancel as soon as the first delta arrives: the request is then blocked on a silent socket.
  auto completion = client.complete(
      {}, nlohmann::json::array(), [&](const std::string&) { cancel.cancel(); }, cancel.token());
  ASSERT_FALSE(completion);
  EXPECT_EQ(completion.error().code, "cancelled");
  EXPECT_TRUE(server_.wait_for_hangup());
}

TEST_F(OpenAiClientTest, UnreachableServerFailsAfterRetries) {
  LlmConfig c = config();
  c.base_url = "http://127.0.0.1:1/v1";
  c.max_retries = 1;
  OpenAiClient client(c);
  auto completion = client.complete({}, nlohmann::json::array(), {}, {});
  ASSERT_FALSE(completion);
  EXPECT_EQ(completion.error().code, "llm_unreachable");
}

}  // namespace
}  // namespace benchtop
