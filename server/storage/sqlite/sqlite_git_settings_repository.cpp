#include "server/storage/sqlite/sqlite_repositories.h"

namespace benchtop {
namespace {

Result<GitSettingsRecord> read_settings(Database::Connection& connection,
                                        const std::string& project_id) {
  auto statement = connection.prepare(
      "SELECT author_name, author_email, https_username, https_token, https_host FROM "
      "git_settings WHERE project_id = ?");
  if (!statement) return statement.take_error();
  auto row = statement->bind(1, project_id).step();
  if (!row) return row.take_error();
  GitSettingsRecord settings;
  if (*row) {
    settings.author_name = statement->column_text(0);
    settings.author_email = statement->column_text(1);
    settings.https_username = statement->column_text(2);
    settings.https_token = statement->column_text(3);
    settings.https_host = statement->column_text(4);
  }
  return settings;
}

class SqliteGitSettingsRepository : public GitSettingsRepository {
 public:
  explicit SqliteGitSettingsRepository(Database& database) : database_(database) {}

  Result<GitSettingsRecord> get(const std::string& project_id) override {
    auto connection = database_.connect();
    return read_settings(connection, project_id);
  }

  Result<GitSettingsRecord> update(
      const std::string& project_id,
      const std::function<Result<GitSettingsRecord>(GitSettingsRecord)>& change) override {
    auto connection = database_.connect();
    auto transaction = connection.begin();
    if (!transaction) return transaction.take_error();
    auto current = read_settings(connection, project_id);
    if (!current) return current.take_error();
    auto next = change(std::move(current).value());
    if (!next) return next.take_error();
    auto statement = connection.prepare(
        "INSERT INTO git_settings (project_id, author_name, author_email, https_username, "
        "https_token, https_host) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project_id) DO "
        "UPDATE SET author_name = ?2, author_email = ?3, https_username = ?4, https_token = ?5, "
        "https_host = ?6");
    if (!statement) return statement.take_error();
    if (auto status = statement
                          ->bind_all(project_id, next->author_name, next->author_email,
                                     next->https_username, next->https_token, next->https_host)
                          .run();
        !status) {
      return status.take_error();
    }
    if (auto committed = transaction->commit(); !committed) return committed.take_error();
    return next;
  }

 private:
  Database& database_;
};

}  // namespace

std::unique_ptr<GitSettingsRepository> make_sqlite_git_settings_repository(Database& database) {
  return std::make_unique<SqliteGitSettingsRepository>(database);
}

}  // namespace benchtop
