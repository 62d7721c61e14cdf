#include "server/agent/chat_types.h"

namespace benchtop {

std::string_view to_string(ChatRole role) {
  switch (role) {
    case ChatRole::kSystem:
      return "system";
    case ChatRole::kUser:
      return "user";
    case ChatRole::kAssistant:
      return "assistant";
    case ChatRole::kTool:
      break;
  }
  return "tool";
}

std::optional<ChatRole> parse_chat_role(std::string_view text) {
  for (ChatRole role :
       {ChatRole::kSystem, ChatRole::kUser, ChatRole::kAssistant, ChatRole::kTool}) {
    if (text == to_string(role)) return role;
  }
  return std::nullopt;
}

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
  nlohmann::json json = {{"role", to_string(role)}};
  if (role == ChatRole::kAssistant && !tool_calls.empty()) {
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
  if (role == ChatRole::kTool) json["tool_call_id"] = tool_call_id;
  return json;
}

}  // namespace benchtop
