#include "server/storage/sqlite/sql_time.h"
#include "server/storage/sqlite/sqlite_repositories.h"

namespace benchtop {
namespace {

constexpr std::string_view kThreadColumns =
    "id, project, title, created_at, updated_at, prompt_tokens, completion_tokens";

ThreadRecord read_thread(const Statement& row) {
  ThreadRecord thread;
  thread.id = row.column_text(0);
  thread.project = row.column_text(1);
  thread.title = row.column_text(2);
  thread.created_at = row.column_text(3);
  thread.updated_at = row.column_text(4);
  thread.prompt_tokens = row.column_int64(5);
  thread.completion_tokens = row.column_int64(6);
  return thread;
}

class SqliteThreadRepository : public ThreadRepository {
 public:
  explicit SqliteThreadRepository(Database& database) : database_(database) {}

  Result<ThreadRecord> create(const std::string& id, const std::string& project,
                              const std::string& title) override {
    auto connection = database_.connect();
    auto insert = connection.prepare(
        "INSERT INTO chat_threads (id, project, title, created_at, updated_at) VALUES (?, ?, "
        "?, " BENCHTOP_SQL_NOW ", " BENCHTOP_SQL_NOW ") RETURNING " +
        std::string(kThreadColumns));
    if (!insert) return insert.take_error();
    insert->bind_all(id, project, title);
    auto row = insert->step();
    if (!row) return row.take_error();
    return read_thread(*insert);
  }

  Result<std::vector<ThreadRecord>> list(const std::string& project) override {
    auto connection = database_.connect();
    auto select = connection.prepare("SELECT " + std::string(kThreadColumns) +
                                     " FROM chat_threads WHERE ?1 = '' OR project = ?1"
                                     " ORDER BY updated_at DESC, id");
    if (!select) return select.take_error();
    select->bind(1, project);
    std::vector<ThreadRecord> threads;
    for (;;) {
      auto row = select->step();
      if (!row) return row.take_error();
      if (!*row) break;
      threads.push_back(read_thread(*select));
    }
    return threads;
  }

  Result<std::optional<ThreadRecord>> get(const std::string& id) override {
    auto connection = database_.connect();
    auto select = connection.prepare("SELECT " + std::string(kThreadColumns) +
                                     " FROM chat_threads WHERE id = ?");
    if (!select) return select.take_error();
    select->bind(1, id);
    auto row = select->step();
    if (!row) return row.take_error();
    if (!*row) return std::optional<ThreadRecord>();
    return std::optional<ThreadRecord>(read_thread(*select));
  }

  Status set_title(const std::string& id, const std::string& title) override {
    auto connection = database_.connect();
    auto update = connection.prepare("UPDATE chat_threads SET title = ? WHERE id = ?");
    if (!update) return update.take_error();
    return update->bind_all(title, id).run();
  }

  Result<bool> remove(const std::string& id) override {
    auto connection = database_.connect();
    auto remove = connection.prepare("DELETE FROM chat_threads WHERE id = ?");  // messages cascade
    if (!remove) return remove.take_error();
    if (auto done = remove->bind(1, id).run(); !done) return done.take_error();
    return connection.changes() != 0;
  }

  Result<std::vector<MessageRecord>> messages(const std::string& thread_id) override {
    auto connection = database_.connect();
    auto select = connection.prepare(
        "SELECT id, role, content, tool_calls, tool_call_id, name, is_error, usage, created_at "
        "FROM chat_messages WHERE thread_id = ? ORDER BY id");
    if (!select) return select.take_error();
    select->bind(1, thread_id);
    std::vector<MessageRecord> out;
    for (;;) {
      auto row = select->step();
      if (!row) return row.take_error();
      if (!*row) break;
      MessageRecord message;
      message.id = select->column_int64(0);
      message.role = select->column_text(1);
      message.content = select->column_text(2);
      message.tool_calls = select->column_optional_text(3);
      message.tool_call_id = select->column_optional_text(4);
      message.name = select->column_optional_text(5);
      message.is_error = select->column_int64(6) != 0;
      message.usage = select->column_optional_text(7);
      message.created_at = select->column_text(8);
      out.push_back(std::move(message));
    }
    return out;
  }

  Result<int64_t> append(const std::string& thread_id, const MessageRecord& message) override {
    auto connection = database_.connect();
    auto transaction = connection.begin();
    if (!transaction) return transaction.take_error();
    auto insert = connection.prepare(
        "INSERT INTO chat_messages (thread_id, role, content, tool_calls, tool_call_id, name, "
        "is_error, usage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, " BENCHTOP_SQL_NOW
        ") RETURNING id");
    if (!insert) return insert.take_error();
    insert->bind_all(thread_id, message.role, message.content, message.tool_calls,
                     message.tool_call_id, message.name, message.is_error ? 1 : 0, message.usage);
    auto row = insert->step();
    if (!row) return row.take_error();
    const int64_t id = insert->column_int64(0);
    insert->reset();
    auto update = connection.prepare(
        "UPDATE chat_threads SET updated_at = " BENCHTOP_SQL_NOW
        ", prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ? "
        "WHERE id = ?");
    if (!update) return update.take_error();
    if (auto done =
            update->bind_all(message.prompt_tokens, message.completion_tokens, thread_id).run();
        !done) {
      return done.take_error();
    }
    if (auto committed = transaction->commit(); !committed) return committed.take_error();
    return id;
  }

 private:
  Database& database_;
};

}  // namespace

std::unique_ptr<ThreadRepository> make_sqlite_thread_repository(Database& database) {
  return std::make_unique<SqliteThreadRepository>(database);
}

}  // namespace benchtop
