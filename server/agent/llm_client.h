// The language model as the agent loop sees it: one streamed Chat Completions turn at a time.
// OpenAiClient speaks the OpenAI-compatible protocol over HTTPS (or plain HTTP for local servers
// and tests) through the HTTP module's client exchange (transport/http_client.h).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/cancellation.h"
#include "common/result.h"
#include "server/agent/chat_types.h"
#include "server/agent/llm_config.h"

namespace benchtop {

class LlmClient {
 public:
  using TextSink = std::function<void(const std::string& delta)>;
  virtual ~LlmClient() = default;

  // Runs one model turn over `messages` with `tools` (Chat Completions "tools" entries; may be
  // empty), calling `on_text` with each content delta as it streams in. Fails with code
  // "cancelled" when `cancel` fires, "llm_http" for a refused request, "llm_unreachable" when no
  // connection could be made, "llm_stream" for a broken or empty stream.
  virtual Result<Completion> complete(const std::vector<ChatMessage>& messages,
                                      const nlohmann::json& tools, const TextSink& on_text,
                                      const CancellationToken& cancel) = 0;
};

class OpenAiClient : public LlmClient {
 public:
  // Called before each retry with the attempt number, the delay and the reason (for logs).
  using RetryObserver =
      std::function<void(int attempt, std::chrono::milliseconds delay, const std::string& why)>;

  explicit OpenAiClient(LlmConfig config, RetryObserver on_retry = {});

  Result<Completion> complete(const std::vector<ChatMessage>& messages, const nlohmann::json& tools,
                              const TextSink& on_text, const CancellationToken& cancel) override;

  // The JSON body of a request (exposed for tests: the key never appears in it).
  nlohmann::json request_body(const std::vector<ChatMessage>& messages,
                              const nlohmann::json& tools) const;

 private:
  LlmConfig config_;
  RetryObserver on_retry_;
};

// The delay before retry `attempt` (1-based): Retry-After when the server sent one (seconds or an
// HTTP date is not parsed: seconds only), else base * 2^(attempt-1); both capped at `max`.
std::chrono::milliseconds retry_delay(int attempt, const std::string& retry_after,
                                      std::chrono::milliseconds base,
                                      std::chrono::milliseconds max);

}  // namespace benchtop
