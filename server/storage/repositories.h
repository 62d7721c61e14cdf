// Every repository a benchtop process uses, opened together over one store (see
// server/storage/sqlite/sqlite_repositories.h for the embedded SQLite one).
#pragma once

#include <memory>

#include "server/storage/checkpoint_repository.h"
#include "server/storage/container_repository.h"
#include "server/storage/git_settings_repository.h"
#include "server/storage/project_repository.h"
#include "server/storage/test_run_repository.h"
#include "server/storage/thread_repository.h"

namespace benchtop {

struct Repositories {
  std::unique_ptr<ProjectRepository> projects;
  std::unique_ptr<ContainerRepository> containers;
  std::unique_ptr<ThreadRepository> threads;
  std::unique_ptr<TestRunRepository> test_runs;
  std::unique_ptr<GitSettingsRepository> git_settings;
  std::unique_ptr<CheckpointRepository> checkpoints;
};

}  // namespace benchtop
