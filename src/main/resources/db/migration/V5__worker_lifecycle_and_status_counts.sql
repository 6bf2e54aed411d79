-- Worker lifecycle columns (nullable: adding them rewrites nothing) and exact status counts kept by
-- triggers in the same transaction as every change to ml_jobs.

ALTER TABLE ml_jobs
    ADD COLUMN worker_id    text,
    ADD COLUMN heartbeat_at timestamptz,
    ADD COLUMN error        text;

ALTER TABLE ml_jobs_archive
    ADD COLUMN worker_id    text,
    ADD COLUMN heartbeat_at timestamptz,
    ADD COLUMN error        text;

-- Several slots per status, summed on read: concurrent writers on different connections add to
-- different rows instead of queueing on one hot counter row. The scheduler folds slots into slot 0.
CREATE TABLE ml_job_counts (
    status text     NOT NULL,
    slot   smallint NOT NULL,
    n      bigint   NOT NULL,
    PRIMARY KEY (status, slot)
);

-- Jobs created per hour over about the last day, for an exact last-24-hours count that reads at
-- most 25 buckets plus an index range of under an hour, however large the table. Only rows created
-- within the last 25 hours are counted here; the scheduler drops older buckets, which are never read.
CREATE TABLE ml_job_created_hourly (
    hour timestamptz NOT NULL,
    slot smallint    NOT NULL,
    n    bigint      NOT NULL,
    PRIMARY KEY (hour, slot)
);

CREATE FUNCTION ml_job_counts_slot() RETURNS smallint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT (1 + pg_backend_pid() % 16)::smallint $$;

-- Statement-level triggers read the transition tables once per statement, so a batch of 1,000
-- rows costs one small upsert per status, not 1,000. Rows are upserted in status order so that two
-- statements sharing a slot always lock its rows in the same order.
CREATE FUNCTION ml_job_counts_apply() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO ml_job_counts AS c (status, slot, n)
        SELECT status, ml_job_counts_slot(), count(*) FROM new_rows GROUP BY status ORDER BY status
        ON CONFLICT (status, slot) DO UPDATE SET n = c.n + excluded.n;
        INSERT INTO ml_job_created_hourly AS h (hour, slot, n)
        SELECT date_trunc('hour', created_at), ml_job_counts_slot(), count(*)
          FROM new_rows WHERE created_at >= now() - interval '25 hours'
         GROUP BY 1 ORDER BY 1
        ON CONFLICT (hour, slot) DO UPDATE SET n = h.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ml_job_counts AS c (status, slot, n)
        SELECT status, ml_job_counts_slot(), -count(*) FROM old_rows GROUP BY status ORDER BY status
        ON CONFLICT (status, slot) DO UPDATE SET n = c.n + excluded.n;
        INSERT INTO ml_job_created_hourly AS h (hour, slot, n)
        SELECT date_trunc('hour', created_at), ml_job_counts_slot(), -count(*)
          FROM old_rows WHERE created_at >= now() - interval '25 hours'
         GROUP BY 1 ORDER BY 1
        ON CONFLICT (hour, slot) DO UPDATE SET n = h.n + excluded.n;
    ELSE
        INSERT INTO ml_job_counts AS c (status, slot, n)
        SELECT status, ml_job_counts_slot(), sum(delta)
          FROM (SELECT status, 1 AS delta FROM new_rows
                UNION ALL
                SELECT status, -1 FROM old_rows) AS changes
         GROUP BY status
        HAVING sum(delta) <> 0
         ORDER BY status
        ON CONFLICT (status, slot) DO UPDATE SET n = c.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION ml_job_counts_reset() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ml_job_counts;
    DELETE FROM ml_job_created_hourly;
    RETURN NULL;
END
$$;

CREATE TRIGGER ml_jobs_count_insert AFTER INSERT ON ml_jobs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ml_job_counts_apply();

CREATE TRIGGER ml_jobs_count_update AFTER UPDATE ON ml_jobs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ml_job_counts_apply();

CREATE TRIGGER ml_jobs_count_delete AFTER DELETE ON ml_jobs
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ml_job_counts_apply();

CREATE TRIGGER ml_jobs_count_truncate AFTER TRUNCATE ON ml_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION ml_job_counts_reset();

-- Rows already there. CREATE TRIGGER above locks out writers until this transaction commits, so
-- no change slips between this count and the triggers (on a 10M-row table: about a second).
INSERT INTO ml_job_counts (status, slot, n)
SELECT status, 0, count(*) FROM ml_jobs GROUP BY status;

INSERT INTO ml_job_created_hourly (hour, slot, n)
SELECT date_trunc('hour', created_at), 0, count(*) FROM ml_jobs
 WHERE created_at >= now() - interval '25 hours'
 GROUP BY 1;
