-- Every run of a job, kept: what started it, how it ended, rsync's exit code, the error and its
-- reason code. Written in the same transaction as the job's transition (store/jobs.ts). A claim that
-- only found its share down or its source still growing is no attempt: its row goes with the wait.
CREATE TABLE attempts (
  id               INTEGER PRIMARY KEY,
  job_id           INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  number           INTEGER NOT NULL,
  trigger          TEXT    NOT NULL CHECK (trigger IN ('webhook', 'automatic_retry', 'manual_retry', 'restart')),
  started_at       TEXT    NOT NULL,
  finished_at      TEXT,
  outcome          TEXT    CHECK (outcome IN ('success', 'failed', 'interrupted')),
  rsync_exit_code  INTEGER,
  error            TEXT,
  reason           TEXT,
  bytes            INTEGER,
  duration_seconds REAL,
  UNIQUE (job_id, number)
);
-- The most frequent failure reasons of a period (GET /history), read from the index alone.
CREATE INDEX attempts_outcome_finished ON attempts (outcome, finished_at, reason);

-- The reason code beside the job's error text, and what put the job in the queue last (the
-- trigger of its next attempt). Existing rows: no reason; their next attempt counts as a webhook's.
ALTER TABLE jobs ADD COLUMN error_reason TEXT;
ALTER TABLE jobs ADD COLUMN queued_by TEXT NOT NULL DEFAULT 'webhook';

-- The jobs list's filters: one index range per (status, source, mapping), newest first
-- (store/job-list.ts reads a page from each range and merges them).
CREATE INDEX jobs_filters ON jobs (status, source, mapping, id);

-- A job's notifications and scans (GET /jobs/<id>), the retention's deletes, and the foreign key's
-- ON DELETE SET NULL, which would otherwise scan the outbox for every deleted job.
CREATE INDEX outbox_job ON outbox (job_id);
-- The last delivery of each target (GET /health/details).
CREATE INDEX outbox_target_sent ON outbox (target, status, sent_at);

-- Substring search of titles: FTS5 trigrams, filled off the webhook path by store/title-index.ts up
-- to job_titles_state.indexed_up_to (ids above it are searched with LIKE until they are indexed).
CREATE VIRTUAL TABLE job_titles USING fts5 (
  title,
  tokenize = 'trigram remove_diacritics 1',
  content = '',
  contentless_delete = 1
);
CREATE TABLE job_titles_state (indexed_up_to INTEGER NOT NULL);
INSERT INTO job_titles_state (indexed_up_to) VALUES (0);
