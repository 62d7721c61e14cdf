#include "server/storage/sqlite/sqlite_repositories.h"

namespace benchtop {

Repositories make_sqlite_repositories(Database& database) {
  Repositories repositories;
  repositories.projects = make_sqlite_project_repository(database);
  repositories.containers = make_sqlite_container_repository(database);
  repositories.threads = make_sqlite_thread_repository(database);
  repositories.test_runs = make_sqlite_test_run_repository(database);
  repositories.git_settings = make_sqlite_git_settings_repository(database);
  repositories.checkpoints = make_sqlite_checkpoint_repository(database);
  return repositories;
}

}  // namespace benchtop
