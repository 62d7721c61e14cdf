// The embedded store: every repository over one SQLite database file, with the migrations of
// migrations.cpp applied on open.
#pragma once

#include <filesystem>
#include <memory>

#include "common/result.h"
#include "server/storage/repositories.h"
#include "server/storage/sqlite/database.h"

namespace benchtop {

std::unique_ptr<ProjectRepository> make_sqlite_project_repository(Database& database);
std::unique_ptr<ContainerRepository> make_sqlite_container_repository(Database& database);
std::unique_ptr<ThreadRepository> make_sqlite_thread_repository(Database& database);
std::unique_ptr<TestRunRepository> make_sqlite_test_run_repository(Database& database);
std::unique_ptr<GitSettingsRepository> make_sqlite_git_settings_repository(Database& database);
std::unique_ptr<CheckpointRepository> make_sqlite_checkpoint_repository(Database& database);

// All of them over `database`, which must outlive them.
Repositories make_sqlite_repositories(Database& database);

}  // namespace benchtop
