-- The queue's hot set: pending jobs are a few percent of the table, so this index stays small and
-- cached while the table grows; the claim query and status=pending listings read it.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ml_jobs_pending_created_at_id_idx ON ml_jobs (created_at, id)
    WHERE status = 'pending';
