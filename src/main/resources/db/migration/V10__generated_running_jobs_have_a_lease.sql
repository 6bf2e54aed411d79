-- V8's generator made running jobs without heartbeat_at or worker_id. The lease reaper only returns
-- running jobs whose heartbeat_at is older than the lease, and NULL is never older, so those jobs
-- stayed running for ever. Same function, same signature: running jobs now carry a lease
-- (heartbeat_at = started_at) held by worker 'generator', like a job a worker claimed and forgot.
CREATE OR REPLACE FUNCTION ml_jobs_generate(n int, first bigint DEFAULT 1, total bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE sql AS $$
    WITH inserted AS (
        INSERT INTO ml_jobs (job_uuid, input_text, status, result_score, result_label, created_at, started_at,
                             completed_at, worker_id, heartbeat_at)
        SELECT encode(substring(int8send((extract(epoch FROM created_at) * 1000)::bigint) FROM 3)
                      || substring(uuid_send(gen_random_uuid()) FROM 7), 'hex')::uuid,
               left(repeat(md5(g::text), 8), 80 + (g::bigint * 7919 % 161)::int),
               status,
               CASE WHEN status = 'completed' THEN floor(random() * 10000) / 10000 END,
               CASE WHEN status = 'completed' THEN (ARRAY['cat', 'dog', 'bird', 'fish'])[1 + g % 4] END,
               created_at,
               CASE WHEN status <> 'pending' THEN created_at + interval '2 seconds' END,
               CASE WHEN status IN ('completed', 'failed') THEN created_at + interval '40 seconds' END,
               CASE WHEN status <> 'pending' THEN 'generator' END,
               CASE WHEN status = 'running' THEN created_at + interval '2 seconds' END
          FROM (SELECT g,
                       now() - interval '400 days' * (1 - (first - 1 + g)::float8 / COALESCE(total, n)) AS created_at,
                       CASE WHEN r < 0.85 THEN 'completed'
                            WHEN r < 0.90 THEN 'failed'
                            WHEN r < 0.93 THEN 'running'
                            ELSE 'pending' END AS status
                  FROM (SELECT g, random() AS r FROM generate_series(1, n) AS g) AS draws) AS jobs
         ORDER BY g
        RETURNING 1
    )
    SELECT count(*) FROM inserted
$$;

-- Rows V8 already generated. Only the generator leaves a running job without heartbeat_at (a claim
-- always sets it), and V6's partial index on running jobs holds their NULL heartbeat_at entries, so
-- this reads those rows only: 3% of generated jobs. It leaves status alone, so the counters do not
-- move. The reaper then returns the ones older than the lease to pending, as it would any job.
UPDATE ml_jobs
   SET heartbeat_at = COALESCE(started_at, created_at), worker_id = COALESCE(worker_id, 'generator')
 WHERE status = 'running' AND heartbeat_at IS NULL;
