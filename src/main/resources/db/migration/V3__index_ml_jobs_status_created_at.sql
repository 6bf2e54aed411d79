-- Serves every listing filtered by status: equality on the leading column, then the keyset range.
CREATE INDEX CONCURRENTLY IF NOT EXISTS ml_jobs_status_created_at_id_idx ON ml_jobs (status, created_at, id);
