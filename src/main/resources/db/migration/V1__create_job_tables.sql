-- The live job table and its audit archive. Indexes on ml_jobs come in their own non-transactional
-- migrations (CREATE INDEX CONCURRENTLY) so they can be added to a table that already holds rows.

CREATE TABLE ml_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_uuid     uuid             NOT NULL DEFAULT gen_random_uuid(),
    input_text   text             NOT NULL,
    status       text             NOT NULL DEFAULT 'pending',
    result_score double precision,
    result_label text,
    created_at   timestamptz      NOT NULL DEFAULT now(),
    started_at   timestamptz,
    completed_at timestamptz,
    CONSTRAINT ml_jobs_job_uuid_key UNIQUE (job_uuid),
    CONSTRAINT ml_jobs_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed'))
);

-- Same columns, original id kept, so an archived job can be audited exactly as it was.
CREATE TABLE ml_jobs_archive (
    id           bigint           PRIMARY KEY,
    job_uuid     uuid             NOT NULL,
    input_text   text             NOT NULL,
    status       text             NOT NULL,
    result_score double precision,
    result_label text,
    created_at   timestamptz      NOT NULL,
    started_at   timestamptz,
    completed_at timestamptz,
    archived_at  timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT ml_jobs_archive_job_uuid_key UNIQUE (job_uuid),
    CONSTRAINT ml_jobs_archive_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed'))
);

-- Retention deletes the oldest archived rows first.
CREATE INDEX ml_jobs_archive_archived_at_idx ON ml_jobs_archive (archived_at);
