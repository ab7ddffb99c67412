-- 006's index on jobs(source_path) served only the catch-up pass's "is this item already copied"
-- check, and every webhook's insert paid for it (about a tenth of an acknowledgement's CPU time).
-- The pass now reads the few jobs that can cover an item once per group of items (store/jobs.ts).
DROP INDEX IF EXISTS jobs_source_path;
