-- Retention's batches in the month the cutoff cuts through find their rows with a BRIN index on
-- archived_at instead of a B-tree. Archival appends each batch with archived_at = now(), so the
-- column follows the rows' physical order, and a summary of min/max per range of 128 pages is as
-- selective for "archived_at < cutoff" as the B-tree; an append costs it nothing until its range is
-- summarized (autosummarize: by autovacuum once the next range begins). The B-tree was the fourth
-- index every archived row updated, and archival into the partitioned archive ran 22% slower than
-- into the single table with three (bench/results in docs/benchmarks.md).

-- Archival runs hold this advisory lock for as long as they go (ArchiveRepository.TRY_LOCK): taken
-- here, no run writes to the archive while its indexes change. The build's SHARE lock lets reads of
-- the archive go on while it reads each partition once; DROP INDEX's ACCESS EXCLUSIVE lock comes
-- last and is held only until the commit. ml_jobs is neither touched nor locked.
SELECT pg_advisory_xact_lock('ml_jobs_archive'::regclass::oid::int, 0);

CREATE INDEX ml_jobs_archive_archived_at_brin ON ml_jobs_archive USING brin (archived_at)
    WITH (autosummarize = on);
DROP INDEX ml_jobs_archive_archived_at_idx;
