package io.mljobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.mljobs.archive.ArchiveRun;
import io.mljobs.archive.ArchiveService;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Prints retention's figures; asserts nothing about speed. The same {@code bench.rows} archived rows (2M by
 * default), spread over eight months all past retention, are purged twice: from a table shaped as the archive
 * was before partitioning (V1's keys and archived_at index) by that version's batched DELETE, 5,000 a
 * statement, and from the partitioned archive by the service's retention, which drops the eight months. Run:
 *
 * <pre>
 * ./mvnw test -Dtest=ArchivePurgeBenchmark -Dbench.rows=8000000
 * </pre>
 */
@QuarkusTest
@Timeout(value = 3, unit = TimeUnit.HOURS)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "purge_bench"))
class ArchivePurgeBenchmark {

    private static final int MONTHS = 8;

    /** The retention batch as it was before partitioning (V1's table, PURGE_BATCH of that version). */
    private static final String BATCHED_DELETE = """
            WITH purged AS (
                DELETE FROM archive_before
                 WHERE id IN (SELECT id FROM archive_before
                               WHERE archived_at < now() - make_interval(days => $1)
                               ORDER BY archived_at
                               LIMIT $2)
                RETURNING 1
            ), counted AS (
                UPDATE ml_archive_runs SET purged = purged + (SELECT count(*) FROM purged)
                 WHERE id = $3 AND EXISTS (SELECT 1 FROM purged)
            )
            SELECT count(*) AS purged FROM purged
            """;

    @Inject
    Pool pool;

    @Inject
    ArchiveService service;

    private final StringBuilder report = new StringBuilder();

    @Test
    void run() throws Exception {
        int rows = Integer.getInteger("bench.rows", 2_000_000);
        YearMonth first = YearMonth.now(ZoneOffset.UTC).minusMonths(13 + MONTHS);
        sql("""
                CREATE TABLE archive_before (
                    id bigint PRIMARY KEY, job_uuid uuid NOT NULL UNIQUE, input_text text NOT NULL, status text NOT NULL,
                    result_score double precision, result_label text, created_at timestamptz NOT NULL,
                    started_at timestamptz, completed_at timestamptz, archived_at timestamptz NOT NULL DEFAULT now(),
                    worker_id text, heartbeat_at timestamptz, error text)
                """);
        sql("CREATE INDEX ON archive_before (archived_at)");
        for (int m = 0; m < MONTHS; m++) {
            YearMonth month = first.plusMonths(m);
            sql("CREATE TABLE ml_jobs_archive_%s PARTITION OF ml_jobs_archive FOR VALUES FROM ('%s') TO ('%s')".formatted(
                    month.toString().replace('-', '_'), month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC),
                    month.plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC)));
        }
        long started = System.nanoTime();
        String start = "'" + first.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC) + "'::timestamptz";
        for (int done = 0; done < rows; done += 500_000) {
            sql("""
                    INSERT INTO archive_before (id, job_uuid, input_text, status, result_score, result_label, created_at,
                                                started_at, completed_at, archived_at, worker_id)
                    SELECT g, gen_random_uuid(), left(repeat(md5(g::text), 8), 80 + (g * 7919 %% 161)::int), 'completed',
                           0.5, 'cat', a - interval '40 days', a - interval '40 days', a - interval '40 days', a, 'w'
                      FROM (SELECT g, %s + (interval '%d days') * g / %d AS a
                              FROM generate_series(%d::bigint, %d) AS g) AS t
                    """.formatted(start, MONTHS * 30, rows, done + 1, Math.min(rows, done + 500_000)));
        }
        sql("INSERT INTO ml_jobs_archive SELECT * FROM archive_before");
        sql("VACUUM ANALYZE archive_before");
        sql("VACUUM ANALYZE ml_jobs_archive");
        line("## retention of %,d archived rows over %d months, all past retention (loaded in %.0f s)", rows, MONTHS,
                (System.nanoTime() - started) / 1e9);
        line("");
        line("| version | rows | statements | seconds | rows/s | load average before / after |");
        line("| --- | ---: | ---: | ---: | ---: | --- |");

        long runId = pool.query("""
                INSERT INTO ml_archive_runs (trigger, state, days_old, cutoff, batch_size, finished_at)
                VALUES ('request', 'succeeded', 30, now(), 5000, now()) RETURNING id
                """).execute().await().atMost(Waits.BENCHMARK_BOUND).iterator().next().getLong(0);
        String loadBefore = loadAverage();
        started = System.nanoTime();
        long purged = 0;
        int statements = 0;
        long batch;
        do {
            batch = pool.preparedQuery(BATCHED_DELETE).execute(Tuple.of(365, 5000, runId)).await()
                    .atMost(Waits.BENCHMARK_BOUND).iterator().next().getLong(0);
            purged += batch;
            statements++;
        } while (batch == 5000);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(rows, purged);
        line("| batched DELETE, 5,000 a statement (before partitioning) | %,d | %,d | %.1f | %,.0f | %s / %s |", purged,
                statements, seconds, purged / seconds, loadBefore, loadAverage());

        loadBefore = loadAverage();
        started = System.nanoTime();
        ArchiveRun run = ((ArchiveService.Started) service.start(ArchiveRun.Trigger.SCHEDULE, 30, 5000, true).await()
                .atMost(Waits.BENCHMARK_BOUND)).done().await().atMost(Waits.BENCHMARK_BOUND);
        seconds = (System.nanoTime() - started) / 1e9;
        assertEquals(MONTHS, run.droppedPartitions());
        assertEquals(0L, pool.query("SELECT count(*) FROM ml_jobs_archive").execute().await()
                .atMost(Waits.BENCHMARK_BOUND).iterator().next().getLong(0));
        line("| scheduled run: %d partitions dropped (whole run: lock, empty archival pass, retention) | %,d | %d | %.3f | %,.0f | %s / %s |",
                run.droppedPartitions(), rows, run.droppedPartitions(), seconds, rows / seconds, loadBefore, loadAverage());

        Path out = Path.of("target", "bench-archive-purge.md");
        Files.writeString(out, report);
        System.out.println("\n" + report + "\nwritten to " + out);
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(Waits.BENCHMARK_BOUND);
    }

    private void line(String format, Object... args) {
        report.append(String.format(format, args)).append('\n');
    }
}
