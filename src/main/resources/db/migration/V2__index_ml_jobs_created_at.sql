-- Serves every listing without a status filter, in both orders, at any cursor depth.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ml_jobs_created_at_id_idx ON ml_jobs (created_at, id);
