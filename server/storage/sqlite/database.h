// benchtop's SQLite store: one connection per database file, RAII for every handle, prepared
// statements, transactions that roll back unless committed, and schema migrations tracked with
// PRAGMA user_version.
//
// Concurrency: a Database owns exactly one sqlite3 connection and a mutex. Every use goes through
// a Database::Connection, which holds that mutex for as long as it lives, so worker-pool threads
// take turns. We chose this over a connection per thread because the store holds a handful of
// small rows touched for microseconds per tool call: one connection cannot get SQLITE_BUSY from
// itself, a transaction is never split across threads, and there is no per-thread state to clean
// up when the pool shrinks. WAL mode still lets other processes (the sqlite3 shell, a second
// benchtop on the same data dir) read while we write, and busy_timeout covers their writes.
//
// sqlite3.h stays out of this header (SQLite is a private dependency of benchtop_server).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace benchtop {

// One schema step. Steps are applied in order; after step i (0-based) the schema version is i+1.
// Never edit or reorder a step that has shipped: append a new one.
struct Migration {
  std::string_view name;  // shown in errors, e.g. "create projects"
  std::string_view sql;   // one or more statements
};

// A prepared statement, finalized on destruction. Bind indexes are 1-based (as in SQLite), column
// indexes 0-based. A bind error is remembered and reported by the next step(), so binds chain.
// Must not outlive the Connection it was prepared on.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::nullptr_t);
  Statement& bind(int index, const std::optional<std::string>& text);

  // Binds the arguments to parameters 1..N.
  template <typename... Args>
  Statement& bind_all(Args&&... args) {
    int index = 0;
    (bind(++index, std::forward<Args>(args)), ...);
    return *this;
  }

  // true: a row is available through the column accessors; false: the statement has finished.
  Result<bool> step();
  // Steps to completion, for statements that return no rows (INSERT, UPDATE, DELETE, DDL).
  Status run();
  // Makes the statement runnable again with new bindings.
  void reset();

  int column_count() const;
  bool column_is_null(int column) const;
  int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // "" for NULL
  std::optional<std::string> column_optional_text(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* statement, std::string sql)
      : db_(db), statement_(statement), sql_(std::move(sql)) {}
  void note_bind(int index, int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
  std::string sql_;
  std::optional<Error> bind_error_;
};

// BEGIN IMMEDIATE … COMMIT, or ROLLBACK when destroyed without a successful commit() (an early
// return, an error, an exception). Must not outlive the Connection it was begun on.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  friend class Database;
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;  // null once committed or rolled back
};

class Database {
 public:
  // Opens (creating it and its parent directories if needed) the database file, sets WAL mode,
  // foreign keys and a busy timeout, and applies the pending `migrations` in one transaction.
  // Refuses a file whose schema version is newer than `migrations` knows (code "schema_too_new"):
  // it was written by a newer benchtop, and guessing at its layout could corrupt it.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& file,
                                                std::span<const Migration> migrations);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Exclusive use of the connection for as long as this object lives. Do not create a second
  // Connection on the same thread while one is alive: the mutex is not recursive.
  class Connection {
   public:
    Result<Statement> prepare(std::string_view sql);
    // Runs one or more statements that return no rows.
    Status execute(std::string_view sql);
    Result<Transaction> begin();
    // Rows changed by the last INSERT, UPDATE or DELETE.
    int64_t changes() const;
    // PRAGMA user_version.
    Result<int> schema_version();

   private:
    friend class Database;
    Connection(Database& database) : lock_(database.mutex_), database_(&database) {}
    std::unique_lock<std::mutex> lock_;
    Database* database_;
  };

  Connection connect() { return Connection(*this); }

  const std::filesystem::path& file() const { return file_; }

 private:
  Database(std::filesystem::path file, sqlite3* db) : file_(std::move(file)), db_(db) {}
  Status configure();
  Status migrate(std::span<const Migration> migrations);

  std::filesystem::path file_;
  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace benchtop
