#include "server/agent/llm_client.h"

#include <condition_variable>
#include <memory>
#include <mutex>

#include "common/parse_number.h"
#include "server/agent/completion_stream.h"
#include "server/agent/secret_scrub.h"
#include "transport/http_client.h"

namespace benchtop {
namespace {

// Lets a cancellation (on another thread) abort the request in flight: abort() shuts the socket
// down, which wakes a blocked read. Shared with the cancellation callback, which may run after
// the attempt has ended, so the exchange pointer is cleared under the mutex first.
struct AbortHandle {
  std::mutex mutex;
  HttpExchange* exchange = nullptr;
  std::condition_variable wake;  // interrupts a backoff wait
  bool cancelled = false;
};

struct Attempt {
  int status = 0;
  std::string retry_after;
  std::string error_body;  // body of a non-200 answer (for the error message)
  bool transport_failed = false;
  std::string transport_error;
};

bool retryable_status(int status) {
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

std::string shorten(std::string text, size_t limit = 500) {
  if (text.size() > limit) {
    text.resize(limit);
    text += "...";
  }
  return text;
}

// A provider's {"error": {"message": ...}} body, or the raw text; either way without anything
// that looks like `key` (scrubbed after JSON unescaping, and before shortening could cut a key
// in two).
std::string error_message_of(const std::string& body, const std::string& key) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error")) {
    const auto& error = json["error"];
    if (error.is_object() && error.contains("message") && error["message"].is_string()) {
      return scrub_secrets(error["message"].get<std::string>(), key);
    }
    if (error.is_string()) return scrub_secrets(error.get<std::string>(), key);
  }
  return shorten(scrub_secrets(body, key));
}

}  // namespace

std::chrono::milliseconds retry_delay(int attempt, const std::string& retry_after,
                                      std::chrono::milliseconds base,
                                      std::chrono::milliseconds max) {
  if (!retry_after.empty()) {
    // Not a number of seconds (an HTTP date): the backoff below.
    if (const auto seconds = parse_decimal(retry_after)) {
      const auto wanted = std::chrono::milliseconds(static_cast<int64_t>(*seconds * 1000));
      return std::min(wanted, max);
    }
  }
  auto delay = base;
  for (int i = 1; i < attempt && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

OpenAiClient::OpenAiClient(LlmConfig config, RetryObserver on_retry)
    : config_(std::move(config)), on_retry_(std::move(on_retry)) {}

nlohmann::json OpenAiClient::request_body(const std::vector<ChatMessage>& messages,
                                          const nlohmann::json& tools) const {
  nlohmann::json body = {{"model", config_.model}, {"stream", true}};
  body["stream_options"] = {{"include_usage", true}};
  nlohmann::json wire = nlohmann::json::array();
  for (const auto& message : messages) wire.push_back(message.to_api_json());
  body["messages"] = std::move(wire);
  if (tools.is_array() && !tools.empty()) body["tools"] = tools;
  if (config_.temperature) body["temperature"] = *config_.temperature;
  if (config_.max_tokens) body["max_tokens"] = *config_.max_tokens;
  return body;
}

Result<Completion> OpenAiClient::complete(const std::vector<ChatMessage>& messages,
                                          const nlohmann::json& tools, const TextSink& on_text,
                                          const CancellationToken& cancel) {
  if (auto missing = config_.missing()) return Error::make(*missing, "llm_not_configured");
  auto endpoint = parse_llm_base_url(config_.base_url);
  if (!endpoint) return endpoint.take_error();
  const std::string body = request_body(messages, tools).dump();
  const std::string path = endpoint->path_prefix + "/chat/completions";

  auto abort = std::make_shared<AbortHandle>();
  cancel.on_cancel([abort] {
    std::lock_guard lock(abort->mutex);
    abort->cancelled = true;
    if (abort->exchange) abort->exchange->abort();
    abort->wake.notify_all();
  });
  auto cancelled_error = [] {
    return Error::make("the run was cancelled while waiting for the model", "cancelled");
  };

  std::string last_failure;
  for (int attempt = 0;; ++attempt) {
    if (cancel.cancelled()) return cancelled_error();

    HttpClientRequest http_request;
    http_request.origin = endpoint->origin;
    http_request.path = path;
    http_request.body = body;
    http_request.headers = {{"Accept", "text/event-stream"}};
    http_request.bearer_token = config_.api_key;
    http_request.connect_timeout = config_.request_timeout;
    http_request.read_timeout = config_.request_timeout;
    auto exchange = make_http_exchange(std::move(http_request));
    if (!exchange) return Error::make(exchange.error().message, "llm_unreachable");
    {
      std::lock_guard lock(abort->mutex);
      if (abort->cancelled) return cancelled_error();
      abort->exchange = exchange->get();
    }

    Attempt result;
    CompletionAccumulator accumulator(on_text);
    SseDataParser parser;
    const auto on_data = [&](const std::string& payload) { accumulator.add(payload); };

    const HttpExchangeOutcome outcome = (*exchange)->run(
        [&](const HttpResponseHead& head) {
          result.status = head.status;
          result.retry_after = head.header("Retry-After");
        },
        [&](std::string_view chunk) {
          if (cancel.cancelled()) return false;
          if (result.status != 200) {
            if (result.error_body.size() < 64 * 1024) result.error_body.append(chunk);
            return true;
          }
          parser.feed(chunk, on_data);
          return true;
        });
    const bool sent = outcome.completed;
    {
      std::lock_guard lock(abort->mutex);
      abort->exchange = nullptr;
    }
    if (cancel.cancelled()) return cancelled_error();

    if (!sent && result.status == 0) {
      result.transport_failed = true;
      result.transport_error = outcome.transport_error;
    }
    // What went wrong, when it is worth another attempt; the rest returns from here.
    std::string why;
    if (result.transport_failed) {
      why = "cannot reach the model at " + config_.base_url + ": " + result.transport_error;
    } else if (result.status != 200) {
      // The provider's words reach the client: whatever in them looks like the key goes.
      why = "the model endpoint answered HTTP " + std::to_string(result.status) + ": " +
            error_message_of(result.error_body, config_.api_key);
      if (!retryable_status(result.status)) return Error::make(why, "llm_http");
    } else {
      parser.finish(on_data);
      if (!accumulator.stream_error().empty()) {
        return Error::make("the model reported an error: " +
                               scrub_secrets(accumulator.stream_error(), config_.api_key),
                           "llm_stream");
      }
      if (!sent && !accumulator.done()) {
        // The stream broke mid-answer. Retrying would repeat text already shown, so only a
        // stream that produced nothing yet is retried.
        why = "the model's stream broke off: " + outcome.transport_error;
        if (accumulator.received_anything()) return Error::make(why, "llm_stream");
      } else {
        Completion completion = accumulator.take();
        if (completion.content.empty() && completion.tool_calls.empty() &&
            completion.finish_reason.empty()) {
          return Error::make("the model sent an empty answer (" +
                                 std::to_string(completion.malformed_chunks) +
                                 " unreadable chunks)",
                             "llm_stream");
        }
        return completion;
      }
    }

    last_failure = why;
    if (attempt >= config_.max_retries) {
      return Error::make(why + " (gave up after " + std::to_string(attempt + 1) + " attempts)",
                         result.transport_failed ? "llm_unreachable" : "llm_http");
    }
    const auto delay = retry_delay(attempt + 1, result.retry_after, config_.retry_base_delay,
                                   config_.retry_max_delay);
    if (on_retry_) on_retry_(attempt + 1, delay, why);
    std::unique_lock lock(abort->mutex);
    if (abort->wake.wait_for(lock, delay, [&] { return abort->cancelled; })) {
      return cancelled_error();
    }
  }
}

}  // namespace benchtop
