-- ml_jobs_archive becomes a table partitioned by month of archived_at (UTC months), so that retention
-- drops a month whole instead of deleting its rows one by one. No row is copied: the old table becomes
-- the partition of everything archived before next month (ml_jobs_archive_legacy), which retention
-- empties in batches, as before, until all of it is past retention and it is dropped too. ml_jobs is
-- neither touched nor locked.

-- Archival runs hold this advisory lock for as long as they go (ArchiveRepository.TRY_LOCK): the
-- conversion waits for a run to end, and no run starts until it commits, so no batch writes to a
-- table half converted. The key is the old table's oid, the one running processes lock; once this
-- commits the name resolves to the partitioned table, and every process locks that.
SELECT pg_advisory_xact_lock('ml_jobs_archive'::regclass::oid::int, 0);

ALTER TABLE ml_jobs_archive RENAME TO ml_jobs_archive_legacy;
-- Its names make way for the partitioned table's. Nothing reads by id, and V12's unique index on
-- (job_uuid, archived_at) takes over the lookups from job_uuid's own: both go, which is instant, and
-- archival into this partition keeps two indexes fewer up to date. The NOT NULL the primary key set
-- stays (SET NOT NULL on a column that has it does nothing).
ALTER TABLE ml_jobs_archive_legacy DROP CONSTRAINT ml_jobs_archive_pkey;
ALTER TABLE ml_jobs_archive_legacy DROP CONSTRAINT ml_jobs_archive_job_uuid_key;
ALTER TABLE ml_jobs_archive_legacy ALTER COLUMN id SET NOT NULL;
ALTER INDEX ml_jobs_archive_archived_at_idx RENAME TO ml_jobs_archive_legacy_archived_at_idx;

-- Same columns in the same order. A unique index of a partitioned table must hold the partition key:
-- job_uuid is unique because a job leaves ml_jobs (UNIQUE (job_uuid)) in the statement that archives it.
CREATE TABLE ml_jobs_archive (
    id           bigint           NOT NULL,
    job_uuid     uuid             NOT NULL,
    input_text   text             NOT NULL,
    status       text             NOT NULL,
    result_score double precision,
    result_label text,
    created_at   timestamptz      NOT NULL,
    started_at   timestamptz,
    completed_at timestamptz,
    archived_at  timestamptz      NOT NULL DEFAULT now(),
    worker_id    text,
    heartbeat_at timestamptz,
    error        text,
    CONSTRAINT ml_jobs_archive_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed'))
) PARTITION BY RANGE (archived_at);

-- Made on every partition: the lookup of an archived job (one index probe per partition), the two
-- keyset listings of GET /archive/jobs, and retention's batches in the month it cuts through.
CREATE UNIQUE INDEX ml_jobs_archive_job_uuid_archived_at_key ON ml_jobs_archive (job_uuid, archived_at);
CREATE INDEX ml_jobs_archive_created_at_id_idx ON ml_jobs_archive (created_at, id);
CREATE INDEX ml_jobs_archive_status_created_at_id_idx ON ml_jobs_archive (status, created_at, id);
CREATE INDEX ml_jobs_archive_archived_at_idx ON ml_jobs_archive (archived_at);

DO $$
DECLARE
    bound timestamptz;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ml_jobs_archive_legacy) THEN
        DROP TABLE ml_jobs_archive_legacy;
        RETURN;
    END IF;
    -- The start of next month, or of the month after the latest archived_at if that is later. The
    -- attach reads the table once to check that bound, under a lock on this table alone, and finds
    -- V12's indexes for the partitioned table's (max() reads the archived_at index's last entry).
    SELECT (date_trunc('month', greatest(max(archived_at), now()) AT TIME ZONE 'UTC') + interval '1 month')
               AT TIME ZONE 'UTC'
      INTO bound FROM ml_jobs_archive_legacy;
    EXECUTE format('ALTER TABLE ml_jobs_archive ATTACH PARTITION ml_jobs_archive_legacy FOR VALUES FROM (MINVALUE) TO (%L)',
                   bound);
END
$$;

-- A row whose month has no partition lands here instead of failing its batch. Creating that month's
-- partition moves such rows into it; retention deletes the rest in batches.
CREATE TABLE ml_jobs_archive_default PARTITION OF ml_jobs_archive DEFAULT;

-- The partitions and their bounds, read from the catalog: lower is NULL for MINVALUE, both are NULL
-- for the default partition. The bounds round-trip through text in the session's own settings.
CREATE FUNCTION ml_jobs_archive_partitions()
    RETURNS TABLE (name text, lower_bound timestamptz, upper_bound timestamptz, is_default boolean)
    LANGUAGE sql STABLE AS $$
    SELECT c.relname::text,
           substring(b.bound FROM $re$FROM \('([^']+)'\)$re$)::timestamptz,
           substring(b.bound FROM $re$TO \('([^']+)'\)$re$)::timestamptz,
           b.bound = 'DEFAULT'
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
     WHERE i.inhparent = 'ml_jobs_archive'::regclass
$$;

-- Makes the partitions of this month and the next `ahead` months that no partition covers yet;
-- answers how many it made. Each is made apart and then attached: ATTACH takes a SHARE UPDATE
-- EXCLUSIVE lock on ml_jobs_archive, which archival and reads pass, where CREATE TABLE ... PARTITION
-- OF would take an ACCESS EXCLUSIVE one (and so does the default partition's brief lock, for its
-- check that it holds no row of the month: the rows it had for the month move first).
CREATE FUNCTION ml_jobs_archive_create_partitions(ahead int) RETURNS int
    LANGUAGE plpgsql AS $$
DECLARE
    this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    month_start timestamp;
    month_lower timestamptz;
    month_upper timestamptz;
    part_name text;
    made int := 0;
BEGIN
    -- Every replica runs this: the second one waits for the first, then finds the months there.
    PERFORM pg_advisory_xact_lock('ml_jobs_archive'::regclass::oid::int, 1);
    FOR m IN 0 .. ahead LOOP
        month_start := this_month + make_interval(months => m);
        -- Month arithmetic on timestamps without zone: in a session zone with daylight saving time,
        -- timestamptz + 1 month would move the bound by the clock change.
        month_lower := month_start AT TIME ZONE 'UTC';
        month_upper := (month_start + interval '1 month') AT TIME ZONE 'UTC';
        CONTINUE WHEN EXISTS (SELECT 1 FROM ml_jobs_archive_partitions() p
                               WHERE NOT p.is_default AND p.upper_bound > month_lower
                                 AND (p.lower_bound IS NULL OR p.lower_bound < month_upper));
        part_name := 'ml_jobs_archive_' || to_char(month_start, 'YYYY_MM');
        EXECUTE format('CREATE TABLE %I (LIKE ml_jobs_archive INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
        EXECUTE format('WITH moved AS (DELETE FROM ml_jobs_archive_default WHERE archived_at >= $1 AND archived_at < $2 '
                       'RETURNING *) INSERT INTO %I SELECT * FROM moved', part_name) USING month_lower, month_upper;
        EXECUTE format('ALTER TABLE ml_jobs_archive ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part_name,
                       month_lower, month_upper);
        made := made + 1;
    END LOOP;
    RETURN made;
END
$$;

SELECT ml_jobs_archive_create_partitions(3);

-- Partitions retention dropped whole, beside the rows it deleted one by one (purged).
ALTER TABLE ml_archive_runs ADD COLUMN dropped_partitions int NOT NULL DEFAULT 0;
