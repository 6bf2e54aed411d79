-- V13 turns ml_jobs_archive into a table partitioned by month of archived_at, with today's table as its
-- first partition. Every partition must carry the partitioned table's indexes: built here, CONCURRENTLY
-- (archival goes on meanwhile), the attach in V13 finds them on the old table instead of building them
-- under its lock. Named for the partition the old table becomes. (job_uuid, archived_at) serves the
-- lookup of an archived job; the other two serve GET /archive/jobs as their twins on ml_jobs serve GET /jobs.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ml_jobs_archive_legacy_job_uuid_archived_at_key
    ON ml_jobs_archive (job_uuid, archived_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ml_jobs_archive_legacy_created_at_id_idx ON ml_jobs_archive (created_at, id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ml_jobs_archive_legacy_status_created_at_id_idx
    ON ml_jobs_archive (status, created_at, id);
