-- Upgrades, renames and deletes mirrored at the destination (docs/mirroring.md). Each is a job of its
-- own kind; the duplicate check compares the kind too, so a delete and a copy of one path never fold.
-- A new column's CHECK holds for the rows already there: each one is a copy.
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'copy'
  CHECK (kind IN ('copy', 'upgrade', 'rename', 'delete'));
-- JSON: what the event asked (the MirrorPlan of core/types.ts); NULL for a copy.
ALTER TABLE jobs ADD COLUMN mirror TEXT;
-- JSON: what the last run did to each file at the destination (MirroredFile[]); NULL until one ran.
ALTER TABLE jobs ADD COLUMN mirrored_files TEXT;
