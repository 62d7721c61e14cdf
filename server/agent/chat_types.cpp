#include "server/agent/chat_types.h"

namespace benchtop {

nlohmann::json TokenUsage::to_json() const {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", total_tokens}};
}

TokenUsage TokenUsage::from_json(const nlohmann::json& json) {
  TokenUsage usage;
  if (!json.is_object()) return usage;
  auto number = [&](const char* key) -> int64_t {
    const auto it = json.find(key);
    return it != json.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  usage.prompt_tokens = number("prompt_tokens");
  usage.completion_tokens = number("completion_tokens");
  usage.total_tokens = number("total_tokens");
  if (usage.total_tokens == 0) usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  return usage;
}

nlohmann::json ChatMessage::to_api_json() const {
  nlohmann::json json = {{"role", role}};
  if (role == "assistant" && !tool_calls.empty()) {
    // Providers disagree on "" vs null next to tool calls; null is what OpenAI itself sends.
    json["content"] = content.empty() ? nlohmann::json(nullptr) : nlohmann::json(content);
    nlohmann::json calls = nlohmann::json::array();
    for (const auto& call : tool_calls) {
      calls.push_back({{"id", call.id},
                       {"type", "function"},
                       {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
    }
    json["tool_calls"] = std::move(calls);
  } else {
    json["content"] = content;
  }
  if (role == "tool") json["tool_call_id"] = tool_call_id;
  return json;
}

}  // namespace benchtop
