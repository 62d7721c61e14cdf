#include "server/storage/sqlite/database.h"

#include <sqlite3.h>

#include <system_error>

#include "common/log.h"

namespace benchtop {
namespace {

constexpr int kBusyTimeoutMs = 5000;

Error sqlite_error(sqlite3* db, std::string_view what) {
  std::string message = "Database error";
  if (!what.empty()) message += " (" + std::string(what) + ")";
  message += ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  return Error::make(std::move(message), "database");
}

}  // namespace

// ---- Statement ---------------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      statement_(std::exchange(other.statement_, nullptr)),
      sql_(std::move(other.sql_)),
      bind_error_(std::move(other.bind_error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    db_ = std::exchange(other.db_, nullptr);
    statement_ = std::exchange(other.statement_, nullptr);
    sql_ = std::move(other.sql_);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

void Statement::note_bind(int index, int rc) {
  if (rc != SQLITE_OK && !bind_error_) {
    bind_error_ = sqlite_error(db_, "binding parameter " + std::to_string(index) + " of " + sql_);
  }
}

Statement& Statement::bind(int index, std::string_view text) {
  note_bind(index, sqlite3_bind_text64(statement_, index, text.data(), text.size(),
                                       SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  note_bind(index, sqlite3_bind_int64(statement_, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  note_bind(index, sqlite3_bind_double(statement_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  note_bind(index, sqlite3_bind_null(statement_, index));
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind(index, nullptr);
}

Result<bool> Statement::step() {
  if (bind_error_) return *bind_error_;
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = sqlite_error(db_, sql_);
  // Constraint failures are expected (a duplicate name, say): give callers a code to branch on.
  if ((rc & 0xFF) == SQLITE_CONSTRAINT) error.code = "constraint";
  if ((rc & 0xFF) == SQLITE_BUSY) error.code = "busy";
  sqlite3_reset(statement_);
  return error;
}

Status Statement::run() {
  while (true) {
    auto row = step();
    if (!row) return row.take_error();
    if (!*row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bind_error_.reset();
}

int Statement::column_count() const {
  return sqlite3_column_count(statement_);
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(statement_, column);
}

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (!text) return {};
  // Ask for the size after the text conversion so embedded NULs are kept.
  const int size = sqlite3_column_bytes(statement_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_text(column);
}

// ---- Transaction -------------------------------------------------------------------------------

Transaction::~Transaction() {
  if (!db_) return;
  if (sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK &&
      sqlite3_get_autocommit(db_) == 0) {
    log::error(std::string("ROLLBACK failed: ") + sqlite3_errmsg(db_));
  }
}

Status Transaction::commit() {
  if (!db_) return Error::make("Transaction already finished", "database");
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    // A failed COMMIT (SQLITE_BUSY) leaves the transaction open; the destructor rolls it back.
    return sqlite_error(db_, "COMMIT");
  }
  db_ = nullptr;
  return {};
}

// ---- Connection --------------------------------------------------------------------------------

Result<Statement> Database::Connection::prepare(std::string_view sql) {
  sqlite3* db = database_->db_;
  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &statement, &tail) !=
      SQLITE_OK) {
    return sqlite_error(db, sql);
  }
  Statement owned(db, statement, std::string(sql));
  if (!statement) return Error::make("Empty SQL statement", "database");
  // prepare() compiles one statement; silently dropping the rest would hide a mistake.
  for (const char* rest = tail; rest && rest < sql.data() + sql.size(); ++rest) {
    if (*rest != ' ' && *rest != '\n' && *rest != '\t' && *rest != '\r' && *rest != ';') {
      return Error::make(
          "prepare() takes one SQL statement; use execute() for several: " + std::string(sql),
          "database");
    }
  }
  return owned;
}

Status Database::Connection::execute(std::string_view sql) {
  sqlite3* db = database_->db_;
  const std::string text(sql);  // sqlite3_exec needs a NUL-terminated string
  char* message = nullptr;
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Error::make("Database error: " + detail, "database");
  }
  return {};
}

Result<Transaction> Database::Connection::begin() {
  // IMMEDIATE takes the write lock now, so a read-then-write transaction cannot fail half-way
  // with SQLITE_BUSY when another process writes in between.
  if (auto status = execute("BEGIN IMMEDIATE"); !status) return status.take_error();
  return Transaction(database_->db_);
}

int64_t Database::Connection::changes() const {
  return sqlite3_changes64(database_->db_);
}

Result<int> Database::Connection::schema_version() {
  auto statement = prepare("PRAGMA user_version");
  if (!statement) return statement.take_error();
  auto row = statement->step();
  if (!row) return row.take_error();
  return *row ? static_cast<int>(statement->column_int64(0)) : 0;
}

// ---- Database ----------------------------------------------------------------------------------

Database::~Database() {
  // sqlite3_close_v2 defers the close until any unfinalized statements are gone, instead of
  // failing.
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& file,
                                                 std::span<const Migration> migrations) {
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      return Error::make(
          "Cannot create the directory for the database " + file.string() + ": " + ec.message(),
          "io_error");
    }
  }
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  // Own the handle before checking rc: sqlite3_open_v2 allocates one even on failure.
  std::unique_ptr<Database> database(new Database(file, db));
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, "opening " + file.string());
    return error;
  }
  if (auto status = database->configure(); !status) return status.take_error();
  if (auto status = database->migrate(migrations); !status) return status.take_error();
  return database;
}

Status Database::configure() {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  auto connection = connect();
  if (auto status = connection.execute("PRAGMA foreign_keys = ON"); !status) return status;
  auto journal = connection.prepare("PRAGMA journal_mode = WAL");
  if (!journal) return journal.take_error();
  auto row = journal->step();
  if (!row) return row.take_error();
  // The pragma answers with the mode in force; anything but WAL (a read-only medium, say) would
  // make concurrent readers block writers, which we would rather hear about now.
  if (!*row || journal->column_text(0) != "wal") {
    return Error::make("Database " + file_.string() + " could not be switched to WAL mode",
                       "database");
  }
  // In WAL mode NORMAL still cannot corrupt the database; it only lets a power loss undo the last
  // commits, and it saves an fsync per transaction.
  return connection.execute("PRAGMA synchronous = NORMAL");
}

Status Database::migrate(std::span<const Migration> migrations) {
  auto connection = connect();
  auto transaction = connection.begin();
  if (!transaction) return transaction.take_error();
  auto version = connection.schema_version();
  if (!version) return version.take_error();
  const int known = static_cast<int>(migrations.size());
  if (*version > known) {
    return Error::make("Database " + file_.string() + " has schema version " +
                           std::to_string(*version) + " but this benchtop knows only up to " +
                           std::to_string(known) +
                           ": it was written by a newer benchtop. Upgrade benchtop, or use "
                           "another data directory.",
                       "schema_too_new");
  }
  if (*version == known) return {};  // the transaction rolls back: nothing to write
  for (int step = *version; step < known; ++step) {
    const Migration& migration = migrations[static_cast<size_t>(step)];
    if (auto status = connection.execute(migration.sql); !status) {
      return Error::make("Schema migration " + std::to_string(step + 1) + " (" +
                             std::string(migration.name) + ") failed: " + status.error().message,
                         "migration_failed");
    }
  }
  // user_version lives in the database header and is written inside the same transaction, so the
  // steps and the version that records them are committed together or not at all.
  if (auto status = connection.execute("PRAGMA user_version = " + std::to_string(known)); !status) {
    return status;
  }
  return transaction->commit();
}

}  // namespace benchtop
