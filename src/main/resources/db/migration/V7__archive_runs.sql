-- One row per archival run: what it was asked, how far it got, how it ended. Runs are few (one a
-- night plus those asked for), so this table stays small.
CREATE TABLE ml_archive_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger     text        NOT NULL,
    state       text        NOT NULL,
    days_old    int         NOT NULL,
    cutoff      timestamptz NOT NULL,
    batch_size  int         NOT NULL,
    archived    bigint      NOT NULL DEFAULT 0,
    batches     int         NOT NULL DEFAULT 0,
    purged      bigint      NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error       text,
    CONSTRAINT ml_archive_runs_trigger_check CHECK (trigger IN ('schedule', 'request')),
    CONSTRAINT ml_archive_runs_state_check CHECK (state IN ('running', 'succeeded', 'failed', 'abandoned'))
);

CREATE INDEX ml_archive_runs_running_idx ON ml_archive_runs (id) WHERE state = 'running';
