-- The daily summary and "today" in /stats sum a day's finished jobs: with the figures in the index
-- they are read from it alone, without a lookup per job (a day is thousands of rows at a million).
DROP INDEX jobs_status_finished;
CREATE INDEX jobs_status_finished ON jobs (status, finished_at, media_type, bytes_transferred, duration_seconds, gave_up);
