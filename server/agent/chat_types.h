// The conversation as the agent loop and the LLM client see it: messages in the OpenAI Chat
// Completions shape (the lingua franca of providers), tool calls, and token usage.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchtop {

struct LlmToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text as the model wrote it (may be invalid)
};

struct TokenUsage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total_tokens = 0;

  TokenUsage& operator+=(const TokenUsage& other) {
    prompt_tokens += other.prompt_tokens;
    completion_tokens += other.completion_tokens;
    total_tokens += other.total_tokens;
    return *this;
  }
  nlohmann::json to_json() const;
  static TokenUsage from_json(const nlohmann::json& json);
};

// Who wrote a message, as Chat Completions names them.
enum class ChatRole { kSystem, kUser, kAssistant, kTool };
std::string_view to_string(ChatRole role);  // "system", "user", "assistant", "tool"
std::optional<ChatRole> parse_chat_role(std::string_view text);

// One message of a conversation.
struct ChatMessage {
  ChatRole role = ChatRole::kUser;
  std::string content;
  std::vector<LlmToolCall> tool_calls;  // assistant only
  std::string tool_call_id;             // tool only: which call this answers
  std::string name;                     // tool only: the tool's name
  bool is_error = false;                // tool only
  std::optional<TokenUsage> usage;      // assistant only: what producing it cost

  // The Chat Completions wire form.
  nlohmann::json to_api_json() const;
};

// The result of one model turn.
struct Completion {
  std::string content;
  std::vector<LlmToolCall> tool_calls;
  std::string finish_reason;
  TokenUsage usage;
  size_t malformed_chunks = 0;  // `data:` payloads that were not valid JSON and were skipped
};

}  // namespace benchtop
