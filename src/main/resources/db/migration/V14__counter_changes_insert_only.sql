-- Counters written insert-only. Until now every statement on ml_jobs upserted its slot row in
-- ml_job_counts (and the minute and hour buckets). An UPDATE leaves the old version behind, and
-- while any snapshot older than it is open (a long report) no vacuum or pruning can remove it: after
-- a 5-minute report the 36 counter rows had 103,603 dead versions behind them, and every upsert
-- walked its row's chain while holding the row, so claims, completions and submissions fell from
-- about 1,000 to under 200 jobs/s in the 10M-row soak. Appending a row costs the same however old
-- the oldest snapshot is, and takes no lock another writer waits for. The stats compactor folds the
-- appended changes into the totals (the only writer of ml_job_counts and the buckets from now on);
-- a read adds the changes not folded yet, so counts stay exact in one snapshot either way.
--
-- During a rolling deploy, replicas still running the previous version read the totals without
-- the changes not folded yet (at most one compaction interval behind) until they are replaced.

-- Writers wait until this commits: no statement counts under the old function after the fold below.
LOCK TABLE ml_jobs IN SHARE ROW EXCLUSIVE MODE;

-- created_minute is set for inserted and deleted jobs created in the last 25 hours (the buckets'
-- span) and null otherwise. No index: the table holds a few seconds of changes, read whole.
-- It churns (rows appended, then deleted by the compactor), so it is vacuumed after a fixed number
-- of dead rows, not a share of a table that is nearly empty after each compaction.
CREATE TABLE ml_job_count_changes (
    status         text        NOT NULL,
    created_minute timestamptz,
    n              bigint      NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);

CREATE OR REPLACE FUNCTION ml_job_counts_apply() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ml_job_count_changes (status, created_minute, n)
        SELECT status, CASE WHEN created_at >= now() - interval '25 hours' THEN date_trunc('minute', created_at) END,
               count(*)
          FROM new_rows GROUP BY 1, 2;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ml_job_count_changes (status, created_minute, n)
        SELECT status, CASE WHEN created_at >= now() - interval '25 hours' THEN date_trunc('minute', created_at) END,
               -count(*)
          FROM old_rows GROUP BY 1, 2;
    ELSE
        INSERT INTO ml_job_count_changes (status, created_minute, n)
        SELECT status, NULL, sum(delta)
          FROM (SELECT status, 1 AS delta FROM new_rows
                UNION ALL
                SELECT status, -1 FROM old_rows) AS changes
         GROUP BY status
        HAVING sum(delta) <> 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ml_job_counts_reset() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ml_job_counts;
    DELETE FROM ml_job_created_hourly;
    DELETE FROM ml_job_created_minutely;
    DELETE FROM ml_job_count_changes;
    RETURN NULL;
END
$$;

-- Slots are no longer written: fold the ones left into slot 0.
WITH folded AS (DELETE FROM ml_job_counts WHERE slot <> 0 RETURNING status, n)
INSERT INTO ml_job_counts AS c (status, slot, n)
SELECT status, 0, sum(n) FROM folded GROUP BY status
ON CONFLICT (status, slot) DO UPDATE SET n = c.n + excluded.n;

WITH folded AS (DELETE FROM ml_job_created_hourly WHERE slot <> 0 RETURNING hour, n)
INSERT INTO ml_job_created_hourly AS h (hour, slot, n)
SELECT hour, 0, sum(n) FROM folded GROUP BY hour
ON CONFLICT (hour, slot) DO UPDATE SET n = h.n + excluded.n;

WITH folded AS (DELETE FROM ml_job_created_minutely WHERE slot <> 0 RETURNING minute, n)
INSERT INTO ml_job_created_minutely AS m (minute, slot, n)
SELECT minute, 0, sum(n) FROM folded GROUP BY minute
ON CONFLICT (minute, slot) DO UPDATE SET n = m.n + excluded.n;

DROP FUNCTION ml_job_counts_slot();
