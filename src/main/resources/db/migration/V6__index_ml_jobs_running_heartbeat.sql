-- The lease reaper's scan: running jobs by last heartbeat. Running jobs are a few percent of the
-- table, so this partial index stays small.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ml_jobs_running_heartbeat_idx ON ml_jobs (heartbeat_at)
    WHERE status = 'running';
