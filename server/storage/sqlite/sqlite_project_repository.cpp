#include "server/storage/sqlite/sql_time.h"
#include "server/storage/sqlite/sqlite_repositories.h"

namespace benchtop {
namespace {

constexpr std::string_view kSelectProject = R"sql(
SELECT p.id, p.name, p.description, p.kind, p.root, p.created_at, p.updated_at,
       d.project_id IS NOT NULL
FROM projects AS p LEFT JOIN default_project AS d ON d.project_id = p.id
)sql";

ProjectRecord read_project(const Statement& row) {
  ProjectRecord project;
  project.id = row.column_text(0);
  project.name = row.column_text(1);
  project.description = row.column_text(2);
  project.kind = row.column_text(3);
  project.root = row.column_text(4);
  project.created_at = row.column_text(5);
  project.updated_at = row.column_text(6);
  project.is_default = row.column_int64(7) != 0;
  return project;
}

Result<std::optional<ProjectRecord>> first_project(Statement& statement) {
  auto row = statement.step();
  if (!row) return row.take_error();
  if (!*row) return std::optional<ProjectRecord>();
  return std::optional<ProjectRecord>(read_project(statement));
}

Result<bool> name_taken(Database::Connection& connection, const std::string& name) {
  auto statement = connection.prepare("SELECT 1 FROM projects WHERE name = ?");
  if (!statement) return statement.take_error();
  return statement->bind(1, name).step();
}

Status store_default(Database::Connection& connection, const std::string& id) {
  auto statement = connection.prepare(
      "INSERT INTO default_project (slot, project_id) VALUES (1, ?) "
      "ON CONFLICT (slot) DO UPDATE SET project_id = excluded.project_id "
      // Unchanged, nothing is written: `--root` re-registers the same default on every start.
      "WHERE project_id IS NOT excluded.project_id");
  if (!statement) return statement.take_error();
  return statement->bind(1, id).run();
}

Error name_exists(const std::string& name) {
  return Error::make("A project named '" + name + "' already exists", "exists");
}

class SqliteProjectRepository : public ProjectRepository {
 public:
  explicit SqliteProjectRepository(Database& database) : database_(database) {}

  Result<std::vector<ProjectRecord>> list() override {
    auto connection = database_.connect();
    auto statement = connection.prepare(std::string(kSelectProject) + "ORDER BY p.name");
    if (!statement) return statement.take_error();
    std::vector<ProjectRecord> projects;
    for (;;) {
      auto row = statement->step();
      if (!row) return row.take_error();
      if (!*row) break;
      projects.push_back(read_project(*statement));
    }
    return projects;
  }

  Result<std::optional<ProjectRecord>> find(std::string_view id_or_name) override {
    auto connection = database_.connect();
    // Names may not look like ids, so at most one row matches; ordering is only a tie-break.
    auto statement =
        connection.prepare(std::string(kSelectProject) +
                           "WHERE p.id = ?1 OR p.name = ?1 ORDER BY p.id = ?1 DESC LIMIT 1");
    if (!statement) return statement.take_error();
    statement->bind(1, id_or_name);
    return first_project(*statement);
  }

  Result<std::optional<ProjectRecord>> find_default() override {
    auto connection = database_.connect();
    auto statement =
        connection.prepare(std::string(kSelectProject) + "WHERE d.project_id IS NOT NULL");
    if (!statement) return statement.take_error();
    return first_project(*statement);
  }

  Status insert_managed(const std::string& id, const std::string& name,
                        const std::string& description,
                        const std::function<Status()>& before_commit) override {
    auto connection = database_.connect();
    auto transaction = connection.begin();
    if (!transaction) return transaction.take_error();
    auto taken = name_taken(connection, name);
    if (!taken) return taken.take_error();
    if (*taken) return name_exists(name);
    auto insert = connection.prepare(
        "INSERT INTO projects (id, name, description, kind, root, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, 'managed', NULL, " BENCHTOP_SQL_NOW ", " BENCHTOP_SQL_NOW ")");
    if (!insert) return insert.take_error();
    if (auto status = insert->bind_all(id, name, description).run(); !status) return status;
    if (before_commit) {
      if (auto status = before_commit(); !status) return status;
    }
    return transaction->commit();
  }

  Result<std::string> register_external(
      const std::string& root, const std::string& id, const std::string& description,
      const std::function<std::string(int attempt)>& name_candidates) override {
    auto connection = database_.connect();
    auto transaction = connection.begin();
    if (!transaction) return transaction.take_error();
    auto existing = connection.prepare("SELECT id FROM projects WHERE root = ?");
    if (!existing) return existing.take_error();
    auto row = existing->bind(1, root).step();
    if (!row) return row.take_error();
    std::string project_id;
    if (*row) {
      project_id = existing->column_text(0);
    } else {
      std::string name;
      for (int attempt = 0;; ++attempt) {
        name = name_candidates(attempt);
        if (name.empty()) return Error::make("No free project name for " + root, "exists");
        auto taken = name_taken(connection, name);
        if (!taken) return taken.take_error();
        if (!*taken) break;
      }
      auto insert = connection.prepare(
          "INSERT INTO projects (id, name, description, kind, root, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, 'external', ?4, " BENCHTOP_SQL_NOW ", " BENCHTOP_SQL_NOW ")");
      if (!insert) return insert.take_error();
      if (auto status = insert->bind_all(id, name, description, root).run(); !status) {
        return status.take_error();
      }
      project_id = id;
    }
    if (auto status = store_default(connection, project_id); !status) return status.take_error();
    if (auto status = transaction->commit(); !status) return status.take_error();
    return project_id;
  }

  Status set_default(const std::string& id) override {
    auto connection = database_.connect();
    auto exists = connection.prepare("SELECT 1 FROM projects WHERE id = ?");
    if (!exists) return exists.take_error();
    auto row = exists->bind(1, id).step();
    if (!row) return row.take_error();
    if (!*row) return Error::make("No project with id '" + id + "'", "not_found");
    return store_default(connection, id);
  }

  Status remove(const std::string& id) override {
    auto connection = database_.connect();
    auto erase = connection.prepare("DELETE FROM projects WHERE id = ?");  // default cascades
    if (!erase) return erase.take_error();
    return erase->bind(1, id).run();
  }

 private:
  Database& database_;
};

}  // namespace

std::unique_ptr<ProjectRepository> make_sqlite_project_repository(Database& database) {
  return std::make_unique<SqliteProjectRepository>(database);
}

}  // namespace benchtop
