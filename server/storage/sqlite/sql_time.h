// The timestamp every row is written with: ISO 8601 UTC with milliseconds, e.g.
// "2025-06-18T09:30:00.000Z", made by SQLite so that one statement's rows share one clock.
#pragma once

#define BENCHTOP_SQL_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
