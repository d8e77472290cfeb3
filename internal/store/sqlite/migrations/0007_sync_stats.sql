-- The sync metrics (/metrics) read, on every scrape, the runs that ended
-- and the conflicts met since the previous one
-- (docs/adr/0301-sync-metrics-from-the-store.md): both are found by time.
CREATE INDEX sync_runs_ended ON sync_runs (ended_at);
CREATE INDEX sync_conflicts_created ON sync_conflicts (created_at);
