#include "server/chat/chat_store.h"

#include "common/uuid.h"

namespace benchtop {
namespace {

constexpr std::string_view kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
constexpr std::string_view kThreadColumns =
    "id, project, title, created_at, updated_at, prompt_tokens, completion_tokens";

ChatThread thread_from(const Statement& row) {
  ChatThread thread;
  thread.id = row.column_text(0);
  thread.project = row.column_text(1);
  thread.title = row.column_text(2);
  thread.created_at = row.column_text(3);
  thread.updated_at = row.column_text(4);
  thread.usage.prompt_tokens = row.column_int64(5);
  thread.usage.completion_tokens = row.column_int64(6);
  thread.usage.total_tokens = thread.usage.prompt_tokens + thread.usage.completion_tokens;
  return thread;
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
  auto connection = database_.connect();
  auto insert = connection.prepare(
      "INSERT INTO chat_threads (id, project, title, created_at, updated_at) VALUES (?, ?, ?, " +
      std::string(kNow) + ", " + std::string(kNow) + ") RETURNING " + std::string(kThreadColumns));
  if (!insert) return insert.take_error();
  insert->bind_all(uuid_v4(), project, title);
  auto row = insert->step();
  if (!row) return row.take_error();
  return thread_from(*insert);
}

Result<std::vector<ChatThread>> ChatStore::list_threads(const std::string& project) {
  auto connection = database_.connect();
  auto select = connection.prepare("SELECT " + std::string(kThreadColumns) +
                                   " FROM chat_threads WHERE ?1 = '' OR project = ?1"
                                   " ORDER BY updated_at DESC, id");
  if (!select) return select.take_error();
  select->bind(1, project);
  std::vector<ChatThread> threads;
  for (;;) {
    auto row = select->step();
    if (!row) return row.take_error();
    if (!*row) break;
    threads.push_back(thread_from(*select));
  }
  return threads;
}

Result<ChatThread> ChatStore::get_thread(const std::string& id) {
  auto connection = database_.connect();
  auto select = connection.prepare("SELECT " + std::string(kThreadColumns) +
                                   " FROM chat_threads WHERE id = ?");
  if (!select) return select.take_error();
  select->bind(1, id);
  auto row = select->step();
  if (!row) return row.take_error();
  if (!*row) return Error::make("no chat thread with id '" + id + "'", "not_found");
  return thread_from(*select);
}

Status ChatStore::set_title(const std::string& id, const std::string& title) {
  auto connection = database_.connect();
  auto update = connection.prepare("UPDATE chat_threads SET title = ? WHERE id = ?");
  if (!update) return update.take_error();
  return update->bind_all(title, id).run();
}

Status ChatStore::delete_thread(const std::string& id) {
  auto connection = database_.connect();
  auto remove = connection.prepare("DELETE FROM chat_threads WHERE id = ?");
  if (!remove) return remove.take_error();
  if (auto done = remove->bind(1, id).run(); !done) return done;
  if (connection.changes() == 0) {
    return Error::make("no chat thread with id '" + id + "'", "not_found");
  }
  return {};
}

Result<std::vector<StoredChatMessage>> ChatStore::messages(const std::string& thread_id) {
  auto connection = database_.connect();
  auto select = connection.prepare(
      "SELECT id, role, content, tool_calls, tool_call_id, name, is_error, usage, created_at "
      "FROM chat_messages WHERE thread_id = ? ORDER BY id");
  if (!select) return select.take_error();
  select->bind(1, thread_id);
  std::vector<StoredChatMessage> out;
  for (;;) {
    auto row = select->step();
    if (!row) return row.take_error();
    if (!*row) break;
    StoredChatMessage stored;
    stored.id = select->column_int64(0);
    const auto role = parse_chat_role(select->column_text(1));
    if (!role) continue;  // the table's CHECK allows none other; skip rather than guess
    stored.message.role = *role;
    stored.message.content = select->column_text(2);
    if (auto calls = select->column_optional_text(3)) {
      stored.message.tool_calls = calls_from_json(*calls);
    }
    stored.message.tool_call_id = select->column_text(4);
    stored.message.name = select->column_text(5);
    stored.message.is_error = select->column_int64(6) != 0;
    if (auto usage = select->column_optional_text(7)) {
      stored.message.usage = TokenUsage::from_json(nlohmann::json::parse(*usage, nullptr, false));
    }
    stored.created_at = select->column_text(8);
    out.push_back(std::move(stored));
  }
  return out;
}

Result<int64_t> ChatStore::append(const std::string& thread_id, const ChatMessage& message) {
  auto connection = database_.connect();
  auto transaction = connection.begin();
  if (!transaction) return transaction.take_error();
  auto insert = connection.prepare(
      "INSERT INTO chat_messages (thread_id, role, content, tool_calls, tool_call_id, name, "
      "is_error, usage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, " +
      std::string(kNow) + ") RETURNING id");
  if (!insert) return insert.take_error();
  const std::optional<std::string> calls =
      message.tool_calls.empty() ? std::nullopt
                                 : std::optional(calls_to_json(message.tool_calls).dump());
  const std::optional<std::string> tool_call_id =
      message.tool_call_id.empty() ? std::nullopt : std::optional(message.tool_call_id);
  const std::optional<std::string> name =
      message.name.empty() ? std::nullopt : std::optional(message.name);
  const std::optional<std::string> usage =
      message.usage ? std::optional(message.usage->to_json().dump()) : std::nullopt;
  insert->bind_all(thread_id, std::string(to_string(message.role)), message.content, calls,
                   tool_call_id, name, message.is_error ? 1 : 0, usage);
  auto row = insert->step();
  if (!row) return row.take_error();
  const int64_t id = insert->column_int64(0);
  insert->reset();
  const TokenUsage spent = message.usage.value_or(TokenUsage{});
  auto update = connection.prepare(
      "UPDATE chat_threads SET updated_at = " + std::string(kNow) +
      ", prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ? "
      "WHERE id = ?");
  if (!update) return update.take_error();
  if (auto done = update->bind_all(spent.prompt_tokens, spent.completion_tokens, thread_id).run();
      !done) {
    return done.take_error();
  }
  if (auto committed = transaction->commit(); !committed) return committed.take_error();
  return id;
}

}  // namespace benchtop
