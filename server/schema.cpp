#include "server/schema.h"

#include <array>

namespace benchtop {
namespace {

// Append only. A shipped step is never edited: databases in the field have already run it.
constexpr std::array kMigrations = {
    Migration{
        "create projects",
        R"sql(
CREATE TABLE projects (
  id          TEXT PRIMARY KEY NOT NULL,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  kind        TEXT NOT NULL CHECK (kind IN ('managed', 'external')),
  -- NULL for a managed project, whose workspace is always <data dir>/workspaces/<id> (so moving
  -- the data directory keeps working); the canonical directory for an external one.
  root        TEXT UNIQUE,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  CHECK ((kind = 'managed') = (root IS NULL))
) STRICT;

-- At most one row: the project tools use when a call names none. Deleting that project clears it.
CREATE TABLE default_project (
  slot       INTEGER PRIMARY KEY CHECK (slot = 1),
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE
) STRICT;
)sql",
    },
    Migration{
        "create containers",
        R"sql(
-- One dev container per project: how it is made, its limits and where it is in its lifecycle.
CREATE TABLE containers (
  project_id    TEXT PRIMARY KEY NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  backend       TEXT NOT NULL,
  memory_bytes  INTEGER NOT NULL,
  pids_max      INTEGER NOT NULL,
  cpu_millis    INTEGER NOT NULL,
  network       INTEGER NOT NULL DEFAULT 0 CHECK (network IN (0, 1)),
  status        TEXT NOT NULL
                CHECK (status IN ('creating', 'running', 'suspended', 'stopped', 'error')),
  error         TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  last_activity TEXT NOT NULL
) STRICT;
)sql",
    },
};

}  // namespace

std::span<const Migration> benchtop_migrations() {
  return kMigrations;
}

}  // namespace benchtop
