-- The partial index of 001 is never chosen: SQLite cannot prove "status = 'queued'" implies its
-- "status IN (...)". A full index serves the claim, the wait bookkeeping and the next wake-up.
DROP INDEX jobs_due;
CREATE INDEX jobs_status_due ON jobs (status, next_attempt_at, id);
