#include "server/agent/completion_stream.h"

#include <nlohmann/json.hpp>

namespace benchtop {

void SseDataParser::feed(std::string_view bytes,
                         const std::function<void(const std::string&)>& on_data) {
  pending_.append(bytes);
  size_t start = 0;
  for (;;) {
    const size_t newline = pending_.find('\n', start);
    if (newline == std::string::npos) break;
    std::string_view text(pending_.data() + start, newline - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    line(text, on_data);
    start = newline + 1;
  }
  pending_.erase(0, start);
}

void SseDataParser::finish(const std::function<void(const std::string&)>& on_data) {
  if (!pending_.empty()) {
    std::string rest = std::move(pending_);
    pending_.clear();
    if (!rest.empty() && rest.back() == '\r') rest.pop_back();
    line(rest, on_data);
  }
  line("", on_data);
}

void SseDataParser::line(std::string_view text,
                         const std::function<void(const std::string&)>& on_data) {
  if (text.empty()) {  // end of an event
    if (has_data_) on_data(data_);
    data_.clear();
    has_data_ = false;
    return;
  }
  if (text.front() == ':') return;  // comment / keep-alive
  const size_t colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field != "data") return;  // event:, id:, retry: carry nothing we need
  if (has_data_) data_ += '\n';
  data_.append(value);
  has_data_ = true;
}

void CompletionAccumulator::add(const std::string& payload) {
  if (payload == "[DONE]") {
    done_ = true;
    return;
  }
  const auto chunk = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (chunk.is_discarded() || !chunk.is_object()) {
    ++completion_.malformed_chunks;
    return;
  }
  if (const auto error = chunk.find("error"); error != chunk.end() && !error->is_null()) {
    stream_error_ = error->is_object() ? error->value("message", error->dump()) : error->dump();
    return;
  }
  if (const auto usage = chunk.find("usage"); usage != chunk.end() && usage->is_object()) {
    completion_.usage = TokenUsage::from_json(*usage);
  }
  const auto choices = chunk.find("choices");
  if (choices == chunk.end() || !choices->is_array() || choices->empty()) return;
  const auto& choice = (*choices)[0];
  if (!choice.is_object()) return;
  if (const auto finish = choice.find("finish_reason");
      finish != choice.end() && finish->is_string()) {
    completion_.finish_reason = finish->get<std::string>();
    received_ = true;
  }
  const auto delta = choice.find("delta");
  if (delta == choice.end() || !delta->is_object()) return;
  if (const auto content = delta->find("content");
      content != delta->end() && content->is_string()) {
    const auto text = content->get<std::string>();
    if (!text.empty()) {
      received_ = true;
      completion_.content += text;
      if (on_text_) on_text_(text);
    }
  }
  const auto calls = delta->find("tool_calls");
  if (calls == delta->end() || !calls->is_array()) return;
  for (const auto& fragment : *calls) {
    if (!fragment.is_object()) continue;
    received_ = true;
    // Some servers omit the index when they send one call per chunk: append in arrival order.
    const int index = fragment.contains("index") && fragment["index"].is_number_integer()
                          ? fragment["index"].get<int>()
                          : static_cast<int>(calls_.size());
    LlmToolCall& call = calls_[index];
    if (const auto id = fragment.find("id"); id != fragment.end() && id->is_string()) {
      call.id = id->get<std::string>();
    }
    const auto function = fragment.find("function");
    if (function == fragment.end() || !function->is_object()) continue;
    if (const auto name = function->find("name"); name != function->end() && name->is_string()) {
      call.name += name->get<std::string>();
    }
    if (const auto args = function->find("arguments");
        args != function->end() && args->is_string()) {
      call.arguments += args->get<std::string>();
    }
  }
}

Completion CompletionAccumulator::take() {
  for (auto& [index, call] : calls_) {
    if (call.id.empty()) call.id = "call_" + std::to_string(index);
    completion_.tool_calls.push_back(std::move(call));
  }
  calls_.clear();
  return std::move(completion_);
}

}  // namespace benchtop
