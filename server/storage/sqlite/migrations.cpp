#include "server/storage/sqlite/migrations.h"

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
    Migration{
        "git settings and test runs",
        R"sql(
-- Per-project git settings: commit author and HTTPS credentials for remotes (the token is never
-- returned by any tool).
CREATE TABLE git_settings (
  project_id     TEXT PRIMARY KEY NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  author_name    TEXT NOT NULL DEFAULT '',
  author_email   TEXT NOT NULL DEFAULT '',
  https_username TEXT NOT NULL DEFAULT '',
  https_token    TEXT NOT NULL DEFAULT ''
) STRICT;

-- One row per test_run: the counts, and the failures and output tail as JSON.
CREATE TABLE test_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  started_at  TEXT NOT NULL,
  command     TEXT NOT NULL,
  runner      TEXT NOT NULL,
  exit_code   INTEGER,
  passed      INTEGER NOT NULL,
  failed      INTEGER NOT NULL,
  skipped     INTEGER NOT NULL,
  errors      INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  failures    TEXT NOT NULL DEFAULT '[]',
  output_tail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX test_runs_by_project ON test_runs (project_id, id);
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
    Migration{
        "bind the git token to a host",
        R"sql(
-- The origin (https://host[:port]) the HTTPS token was given for; it is sent nowhere else. A token
-- stored before this column existed keeps '' and is not used until it is set again with its host:
-- the only other source for a host would be the project's .git/config, which code in the
-- project can rewrite.
ALTER TABLE git_settings ADD COLUMN https_host TEXT NOT NULL DEFAULT '';
)sql",
    },
    Migration{
        "record checkpoints",
        R"sql(
-- One row per tool call that changed a project's files (checkpoint_list, checkpoint_restore).
CREATE TABLE checkpoints (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  tool       TEXT NOT NULL,
  summary    TEXT NOT NULL
) STRICT;
CREATE INDEX checkpoints_by_project ON checkpoints (project_id, id);

-- What each call changed: each path's kind, mode, size and content (a blob's SHA-256, '' when not
-- kept) before and after. The blobs themselves are files in the data directory.
CREATE TABLE checkpoint_changes (
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
  path          TEXT NOT NULL,
  before_kind   TEXT NOT NULL,
  before_mode   INTEGER NOT NULL,
  before_size   INTEGER NOT NULL,
  before_blob   TEXT NOT NULL,
  after_kind    TEXT NOT NULL,
  after_mode    INTEGER NOT NULL,
  after_size    INTEGER NOT NULL,
  after_blob    TEXT NOT NULL,
  PRIMARY KEY (checkpoint_id, path)
) STRICT;
)sql",
    },
};

}  // namespace

std::span<const Migration> benchtop_migrations() {
  return kMigrations;
}

}  // namespace benchtop
