-- Jobs: one row per thing to copy. Retries reuse the row (retry_count + 1); they never add rows.
CREATE TABLE jobs (
  id                   INTEGER PRIMARY KEY,
  status               TEXT    NOT NULL CHECK (status IN ('queued', 'in_progress', 'success', 'failed')),
  source               TEXT    NOT NULL CHECK (source IN ('radarr', 'sonarr', 'manual')),
  media_type           TEXT    NOT NULL CHECK (media_type IN ('movie', 'episode')),
  title                TEXT    NOT NULL,
  container_path       TEXT    NOT NULL,
  source_path          TEXT    NOT NULL,
  dest_path            TEXT    NOT NULL,
  mapping              TEXT    NOT NULL,
  dedupe_key           TEXT    NOT NULL,
  details              TEXT    NOT NULL DEFAULT '{}',
  is_upgrade           INTEGER NOT NULL DEFAULT 0,
  wait_for_stable_size INTEGER NOT NULL DEFAULT 0,
  retry_count          INTEGER NOT NULL DEFAULT 0,
  gave_up              INTEGER NOT NULL DEFAULT 0,
  error                TEXT,
  bytes_transferred    INTEGER,
  created_at           TEXT    NOT NULL,
  started_at           TEXT,
  finished_at          TEXT,
  duration_seconds     REAL,
  next_attempt_at      TEXT
);

-- /jobs?status=… newest first, /jobs newest first (id order = creation order).
CREATE INDEX jobs_status_id ON jobs (status, id);
-- Duplicate check on enqueue.
CREATE INDEX jobs_dedupe ON jobs (dedupe_key, status);
-- Daily summary, /stats today, /health last 24 h, retry-failed of the last 24 h: ranges on finish time.
CREATE INDEX jobs_status_finished ON jobs (status, finished_at);
-- The runner's claim and wake-up: queued rows by due time, failed rows with a retry due.
CREATE INDEX jobs_due ON jobs (status, next_attempt_at, id) WHERE status IN ('queued', 'failed');

-- Counts per status, kept by triggers so /stats never scans the table.
CREATE TABLE job_status_counts (
  status TEXT PRIMARY KEY,
  count  INTEGER NOT NULL
);
INSERT INTO job_status_counts (status, count) VALUES ('queued', 0), ('in_progress', 0), ('success', 0), ('failed', 0);

CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
  UPDATE job_status_counts SET count = count + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER jobs_count_update AFTER UPDATE OF status ON jobs WHEN OLD.status <> NEW.status BEGIN
  UPDATE job_status_counts SET count = count - 1 WHERE status = OLD.status;
  UPDATE job_status_counts SET count = count + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_status_counts SET count = count - 1 WHERE status = OLD.status;
END;

-- Outbox: notifications and media-server scans, written in the same transaction as the job
-- transition that causes them, delivered by the dispatcher with its own retries.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  target          TEXT    NOT NULL,
  job_id          INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  payload         TEXT    NOT NULL,
  status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT    NOT NULL,
  last_error      TEXT,
  created_at      TEXT    NOT NULL,
  sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (target, id) WHERE status = 'pending';

-- Scheduled tasks that must run once per slot across restarts (the daily summary).
CREATE TABLE schedule_runs (
  task        TEXT PRIMARY KEY,
  last_slot   TEXT NOT NULL,
  finished_at TEXT NOT NULL
);
