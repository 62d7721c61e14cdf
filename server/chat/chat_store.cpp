#include "server/chat/chat_store.h"

#include "common/uuid.h"

namespace benchtop {
namespace {

ChatThread thread_from(ThreadRecord record) {
  ChatThread thread;
  thread.id = std::move(record.id);
  thread.project = std::move(record.project);
  thread.title = std::move(record.title);
  thread.created_at = std::move(record.created_at);
  thread.updated_at = std::move(record.updated_at);
  thread.usage.prompt_tokens = record.prompt_tokens;
  thread.usage.completion_tokens = record.completion_tokens;
  thread.usage.total_tokens = thread.usage.prompt_tokens + thread.usage.completion_tokens;
  return thread;
}

Error no_thread(const std::string& id) {
  return Error::make("no chat thread with id '" + id + "'", "not_found");
}

nlohmann::json calls_to_json(const std::vector<LlmToolCall>& calls) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& call : calls) {
    out.push_back({{"id", call.id}, {"name", call.name}, {"arguments", call.arguments}});
  }
  return out;
}

std::vector<LlmToolCall> calls_from_json(const std::string& text) {
  std::vector<LlmToolCall> calls;
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_array()) return calls;
  for (const auto& item : json) {
    if (!item.is_object()) continue;
    calls.push_back({item.value("id", ""), item.value("name", ""), item.value("arguments", "")});
  }
  return calls;
}

}  // namespace

nlohmann::json ChatThread::to_json() const {
  return {{"id", id},
          {"project", project},
          {"title", title},
          {"created_at", created_at},
          {"updated_at", updated_at},
          {"usage", usage.to_json()}};
}

nlohmann::json StoredChatMessage::to_json() const {
  nlohmann::json json = {{"id", id},
                         {"role", to_string(message.role)},
                         {"content", message.content},
                         {"created_at", created_at}};
  if (!message.tool_calls.empty()) {
    nlohmann::json calls = nlohmann::json::array();
    for (const auto& call : message.tool_calls) {
      auto args = nlohmann::json::parse(call.arguments, nullptr, false);
      calls.push_back({{"id", call.id},
                       {"name", call.name},
                       {"args", args.is_discarded() ? nlohmann::json(call.arguments) : args}});
    }
    json["tool_calls"] = std::move(calls);
  }
  if (message.role == ChatRole::kTool) {
    json["tool_call_id"] = message.tool_call_id;
    json["name"] = message.name;
    json["is_error"] = message.is_error;
  }
  if (message.usage) json["usage"] = message.usage->to_json();
  return json;
}

Result<ChatThread> ChatStore::create_thread(const std::string& project, const std::string& title) {
  auto record = repository_.create(uuid_v4(), project, title);
  if (!record) return record.take_error();
  return thread_from(std::move(record).value());
}

Result<std::vector<ChatThread>> ChatStore::list_threads(const std::string& project) {
  auto records = repository_.list(project);
  if (!records) return records.take_error();
  std::vector<ChatThread> threads;
  threads.reserve(records->size());
  for (auto& record : *records) threads.push_back(thread_from(std::move(record)));
  return threads;
}

Result<ChatThread> ChatStore::get_thread(const std::string& id) {
  auto record = repository_.get(id);
  if (!record) return record.take_error();
  if (!record->has_value()) return no_thread(id);
  return thread_from(std::move(**record));
}

Status ChatStore::set_title(const std::string& id, const std::string& title) {
  return repository_.set_title(id, title);
}

Status ChatStore::delete_thread(const std::string& id) {
  auto removed = repository_.remove(id);
  if (!removed) return removed.take_error();
  if (!*removed) return no_thread(id);
  return {};
}

Result<std::vector<StoredChatMessage>> ChatStore::messages(const std::string& thread_id) {
  auto records = repository_.messages(thread_id);
  if (!records) return records.take_error();
  std::vector<StoredChatMessage> out;
  out.reserve(records->size());
  for (auto& record : *records) {
    const auto role = parse_chat_role(record.role);
    if (!role) continue;  // the table's CHECK allows none other; skip rather than guess
    StoredChatMessage stored;
    stored.id = record.id;
    stored.message.role = *role;
    stored.message.content = std::move(record.content);
    if (record.tool_calls) stored.message.tool_calls = calls_from_json(*record.tool_calls);
    stored.message.tool_call_id = record.tool_call_id.value_or("");
    stored.message.name = record.name.value_or("");
    stored.message.is_error = record.is_error;
    if (record.usage) {
      stored.message.usage =
          TokenUsage::from_json(nlohmann::json::parse(*record.usage, nullptr, false));
    }
    stored.created_at = std::move(record.created_at);
    out.push_back(std::move(stored));
  }
  return out;
}

Result<int64_t> ChatStore::append(const std::string& thread_id, const ChatMessage& message) {
  MessageRecord record;
  record.role = std::string(to_string(message.role));
  record.content = message.content;
  if (!message.tool_calls.empty()) record.tool_calls = calls_to_json(message.tool_calls).dump();
  if (!message.tool_call_id.empty()) record.tool_call_id = message.tool_call_id;
  if (!message.name.empty()) record.name = message.name;
  record.is_error = message.is_error;
  if (message.usage) {
    record.usage = message.usage->to_json().dump();
    record.prompt_tokens = message.usage->prompt_tokens;
    record.completion_tokens = message.usage->completion_tokens;
  }
  return repository_.append(thread_id, record);
}

}  // namespace benchtop
