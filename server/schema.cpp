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
};

}  // namespace

std::span<const Migration> benchtop_migrations() {
  return kMigrations;
}

}  // namespace benchtop
