-- Catch-up passes (reconcile/): the jobs a pass queues, the passes themselves, and the heartbeat that
-- tells the next start how long the service was down.

-- Jobs a pass queues have source 'reconcile'. SQLite cannot alter a CHECK constraint; rebuilding the
-- jobs table would take minutes at a million rows and drop whatever other migrations added to it. A
-- looser CHECK that every existing row passes is the case SQLite's documentation gives for editing the
-- schema text in place (https://www.sqlite.org/lang_altertable.html, "otherwise": writable_schema).
-- The migration runner allows it for migrations only; the CREATEs below bump the schema version, so
-- every other connection reads the new text.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
  SET sql = replace(sql, 'source IN (''radarr'', ''sonarr'', ''manual'')',
                         'source IN (''radarr'', ''sonarr'', ''manual'', ''reconcile'')')
  WHERE type = 'table' AND name = 'jobs';
PRAGMA writable_schema = RESET;

-- A pass folds an item into a queued or running job that copies it or a folder above it.
CREATE INDEX jobs_source_path ON jobs (source_path);

-- One row per pass. results, items and skipped are JSON (ReconcileMappingResult[], ReconcileItem[],
-- ReconcileSkip[]); the list of passes reads only the small one.
CREATE TABLE reconcile_runs (
  id             INTEGER PRIMARY KEY,
  started_by     TEXT    NOT NULL CHECK (started_by IN ('api', 'schedule', 'after_downtime')),
  status         TEXT    NOT NULL CHECK (status IN ('running', 'done', 'timed_out', 'failed', 'interrupted')),
  queue          INTEGER NOT NULL,
  mappings       TEXT,
  settle_minutes INTEGER NOT NULL,
  started_at     TEXT    NOT NULL,
  finished_at    TEXT,
  error          TEXT,
  results        TEXT,
  items          TEXT,
  skipped        TEXT,
  queued_at      TEXT,
  jobs_created   INTEGER,
  jobs_folded    INTEGER
);

-- The last moment the service was seen running (written every minute and at a clean stop).
CREATE TABLE service_heartbeat (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  seen_at TEXT NOT NULL
);
