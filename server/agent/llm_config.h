// Where the built-in agent's language model lives and how it is called: an OpenAI-compatible Chat
// Completions endpoint. The API key is a secret: it is only ever put into the Authorization header
// and is left out of every description, log line and API answer.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace benchtop {

struct LlmConfig {
  std::string base_url;  // e.g. "https://api.openai.com/v1"; "/chat/completions" is appended
  std::string api_key;   // may be empty for local servers (llama.cpp, Ollama, vLLM)
  std::string model;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::chrono::milliseconds request_timeout{120'000};  // per read: no byte for this long fails
  int max_retries = 3;                                 // on 429, 5xx and connection failures
  std::chrono::milliseconds retry_base_delay{1000};    // doubled each attempt
  std::chrono::milliseconds retry_max_delay{30'000};   // caps Retry-After and the backoff

  bool configured() const { return !base_url.empty() && !model.empty(); }
  // "model at base_url" (never the key), for logs and errors.
  std::string describe() const;
  // Why the agent cannot run, when it cannot: which variables to set.
  std::optional<std::string> missing() const;

  // Reads BENCHTOP_LLM_BASE_URL / BENCHTOP_LLM_API_KEY / BENCHTOP_LLM_MODEL, falling back to
  // OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL. `lookup` returns a variable or nullopt, so
  // tests need not touch the process environment. An OpenAI key without a base URL means
  // https://api.openai.com/v1.
  static LlmConfig from_environment(
      const std::function<std::optional<std::string>(std::string_view)>& lookup);
  static LlmConfig from_process_environment();
};

// A parsed base URL: "https://host:port/prefix" → scheme, host:port origin and path prefix.
struct LlmEndpoint {
  std::string origin;       // "https://host:port", what the HTTP client connects to
  std::string path_prefix;  // "/v1" or ""
  bool tls = false;
};
Result<LlmEndpoint> parse_llm_base_url(const std::string& base_url);

}  // namespace benchtop
