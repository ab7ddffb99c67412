-- The share messages that stand: a root told down (its mount_down message queued) and not told back yet.
-- Read at start, so a restart during an outage does not tell it down again and the message that it is back
-- counts from when it went down. (Finding that in the outbox's JSON payloads would scan every row, seconds
-- per root at a million rows, on the event loop.)
CREATE TABLE share_notices (
  path       TEXT PRIMARY KEY,
  down_since TEXT NOT NULL
);
