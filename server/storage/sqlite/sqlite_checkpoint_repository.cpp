#include <map>

#include "server/storage/sqlite/sql_time.h"
#include "server/storage/sqlite/sqlite_repositories.h"

namespace benchtop {
namespace {

FileVersion version_from(const Statement& row, int first_column) {
  FileVersion version;
  version.kind =
      file_kind_from_string(row.column_text(first_column)).value_or(FileVersion::Kind::kAbsent);
  version.mode = static_cast<uint32_t>(row.column_int64(first_column + 1));
  version.size = static_cast<uint64_t>(row.column_int64(first_column + 2));
  version.blob = row.column_text(first_column + 3);
  return version;
}

class SqliteCheckpointRepository : public CheckpointRepository {
 public:
  explicit SqliteCheckpointRepository(Database& database) : database_(database) {}

  Result<CheckpointRecord> insert(CheckpointRecord record) override {
    auto connection = database_.connect();
    auto transaction = connection.begin();
    if (!transaction) return transaction.take_error();
    auto insert = connection.prepare(
        "INSERT INTO checkpoints (project_id, created_at, tool, summary) VALUES "
        "(?1, " BENCHTOP_SQL_NOW ", ?2, ?3) RETURNING id, created_at");
    if (!insert) return insert.take_error();
    insert->bind_all(record.project_id, record.tool, record.summary);
    auto row = insert->step();
    if (!row) return row.take_error();
    if (!*row) return Error::make("the checkpoint was not stored", "io_error");
    record.id = insert->column_int64(0);
    record.created_at = insert->column_text(1);
    if (auto done = insert->run(); !done) return done.take_error();

    auto change = connection.prepare(
        "INSERT INTO checkpoint_changes (checkpoint_id, path, before_kind, before_mode, "
        "before_size, before_blob, after_kind, after_mode, after_size, after_blob) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!change) return change.take_error();
    for (const auto& item : record.changes) {
      change->reset();
      change->bind_all(record.id, item.path, to_string(item.before.kind),
                       static_cast<int64_t>(item.before.mode),
                       static_cast<int64_t>(item.before.size), item.before.blob,
                       to_string(item.after.kind), static_cast<int64_t>(item.after.mode),
                       static_cast<int64_t>(item.after.size), item.after.blob);
      if (auto done = change->run(); !done) return done.take_error();
    }
    if (auto committed = transaction->commit(); !committed) return committed.take_error();
    return record;
  }

  Result<std::vector<CheckpointRecord>> recent(const std::string& project_id,
                                               size_t limit) override {
    return select(
        "SELECT id, created_at, tool, summary FROM checkpoints WHERE project_id = ?1 "
        "ORDER BY id DESC LIMIT ?2",
        project_id, static_cast<int64_t>(limit));
  }

  Result<std::vector<CheckpointRecord>> since(const std::string& project_id,
                                              int64_t first_id) override {
    return select(
        "SELECT id, created_at, tool, summary FROM checkpoints WHERE project_id = ?1 AND id >= "
        "?2 ORDER BY id",
        project_id, first_id);
  }

  Result<size_t> keep_newest(const std::string& project_id, size_t keep) override {
    auto connection = database_.connect();
    auto remove = connection.prepare(
        "DELETE FROM checkpoints WHERE project_id = ?1 AND id NOT IN (SELECT id FROM checkpoints "
        "WHERE project_id = ?1 ORDER BY id DESC LIMIT ?2)");
    if (!remove) return remove.take_error();
    remove->bind_all(project_id, static_cast<int64_t>(keep));
    if (auto done = remove->run(); !done) return done.take_error();
    return static_cast<size_t>(connection.changes());
  }

  Result<size_t> count(const std::string& project_id) override {
    auto connection = database_.connect();
    auto select = connection.prepare("SELECT count(*) FROM checkpoints WHERE project_id = ?1");
    if (!select) return select.take_error();
    select->bind(1, project_id);
    auto row = select->step();
    if (!row) return row.take_error();
    return *row ? static_cast<size_t>(select->column_int64(0)) : 0;
  }

  Result<std::set<std::string>> blobs_in_use(const std::string& project_id) override {
    auto connection = database_.connect();
    auto select = connection.prepare(
        "SELECT DISTINCT before_blob FROM checkpoint_changes JOIN checkpoints ON checkpoints.id = "
        "checkpoint_id WHERE project_id = ?1 AND before_blob != ''");
    if (!select) return select.take_error();
    select->bind(1, project_id);
    std::set<std::string> blobs;
    for (;;) {
      auto row = select->step();
      if (!row) return row.take_error();
      if (!*row) break;
      blobs.insert(select->column_text(0));
    }
    return blobs;
  }

 private:
  Result<std::vector<CheckpointRecord>> select(std::string_view sql, const std::string& project_id,
                                               int64_t bound) {
    auto connection = database_.connect();
    auto checkpoints = connection.prepare(sql);
    if (!checkpoints) return checkpoints.take_error();
    checkpoints->bind(1, project_id).bind(2, bound);
    std::vector<CheckpointRecord> records;
    std::map<int64_t, size_t> index_of;
    for (;;) {
      auto row = checkpoints->step();
      if (!row) return row.take_error();
      if (!*row) break;
      CheckpointRecord record;
      record.id = checkpoints->column_int64(0);
      record.created_at = checkpoints->column_text(1);
      record.project_id = project_id;
      record.tool = checkpoints->column_text(2);
      record.summary = checkpoints->column_text(3);
      index_of[record.id] = records.size();
      records.push_back(std::move(record));
    }
    if (records.empty()) return records;

    auto changes = connection.prepare(
        "SELECT checkpoint_id, path, before_kind, before_mode, before_size, before_blob, "
        "after_kind, after_mode, after_size, after_blob FROM checkpoint_changes WHERE "
        "checkpoint_id BETWEEN ?1 AND ?2 ORDER BY checkpoint_id, path");
    if (!changes) return changes.take_error();
    changes->bind(1, index_of.begin()->first).bind(2, index_of.rbegin()->first);
    for (;;) {
      auto row = changes->step();
      if (!row) return row.take_error();
      if (!*row) break;
      auto owner = index_of.find(changes->column_int64(0));
      if (owner == index_of.end()) continue;  // another project's, between the two ids
      records[owner->second].changes.push_back(
          {changes->column_text(1), version_from(*changes, 2), version_from(*changes, 6)});
    }
    return records;
  }

  Database& database_;
};

}  // namespace

std::unique_ptr<CheckpointRepository> make_sqlite_checkpoint_repository(Database& database) {
  return std::make_unique<SqliteCheckpointRepository>(database);
}

}  // namespace benchtop
