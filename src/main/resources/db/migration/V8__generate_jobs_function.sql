-- Demo and benchmark data, generated server-side: n jobs, 85% completed, 5% failed, 3% running,
-- 7% pending, created_at spread over the last 400 days in insertion order, input_text of 80-240
-- characters. One function, so that the service (dev profile) and scripts/generate-jobs load the
-- same data. job_uuid starts with created_at in milliseconds (the rest is random, as a v4 UUID's):
-- the unique index then grows at its right edge instead of taking random pages, which is what
-- makes ten million rows affordable. Counters and indexes stay consistent: it is a plain INSERT.
-- Chunked loads pass the position of their first job in the whole load and its size (`total`), so
-- that consecutive chunks cover consecutive stretches of the 400 days.
CREATE FUNCTION ml_jobs_generate(n int, first bigint DEFAULT 1, total bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE sql AS $$
    WITH inserted AS (
        INSERT INTO ml_jobs (job_uuid, input_text, status, result_score, result_label, created_at, started_at,
                             completed_at)
        SELECT encode(substring(int8send((extract(epoch FROM created_at) * 1000)::bigint) FROM 3)
                      || substring(uuid_send(gen_random_uuid()) FROM 7), 'hex')::uuid,
               left(repeat(md5(g::text), 8), 80 + (g::bigint * 7919 % 161)::int),
               status,
               CASE WHEN status = 'completed' THEN floor(random() * 10000) / 10000 END,
               CASE WHEN status = 'completed' THEN (ARRAY['cat', 'dog', 'bird', 'fish'])[1 + g % 4] END,
               created_at,
               CASE WHEN status <> 'pending' THEN created_at + interval '2 seconds' END,
               CASE WHEN status IN ('completed', 'failed') THEN created_at + interval '40 seconds' END
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
