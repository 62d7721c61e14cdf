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
        "create chat threads and messages",
        R"sql(
-- Conversations of the built-in agent. `project` is the id or name the thread was created with.
CREATE TABLE chat_threads (
  id                TEXT PRIMARY KEY NOT NULL,
  project           TEXT NOT NULL,
  title             TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX chat_threads_by_project ON chat_threads(project, updated_at);

-- Messages in conversation order (by id). tool_calls and usage are JSON text.
CREATE TABLE chat_messages (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  thread_id    TEXT NOT NULL REFERENCES chat_threads(id) ON DELETE CASCADE,
  role         TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
  content      TEXT NOT NULL DEFAULT '',
  tool_calls   TEXT,
  tool_call_id TEXT,
  name         TEXT,
  is_error     INTEGER NOT NULL DEFAULT 0,
  usage        TEXT,
  created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX chat_messages_by_thread ON chat_messages(thread_id, id);
)sql",
    },
};

}  // namespace

std::span<const Migration> benchtop_migrations() {
  return kMigrations;
}

}  // namespace benchtop
