package io.mljobs.bench;

import io.mljobs.job.JobRepository;
import io.mljobs.testing.Admin;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Prints the archival issue's figures; asserts nothing about speed. Archives a table of
 * {@code bench.rows} jobs (~83% eligible) while clients keep listing and writing, then restores it
 * and runs the naive single-transaction INSERT … SELECT + DELETE in the same process. Run:
 *
 * <pre>./mvnw test -Dtest=ArchiveBenchmark -Dbench.rows=1000000</pre>
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "archive_bench"))
class ArchiveBenchmark {

    private static final String ELIGIBLE = "status IN ('completed', 'failed') AND created_at < now() - interval '30 days'";

    @Inject
    Pool pool;

    @Inject
    JobRepository jobs;

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();
    private final StringBuilder report = new StringBuilder();

    @Test
    void run() throws Exception {
        int rows = Integer.getInteger("bench.rows", 1_000_000);
        for (int left = rows; left > 0; left -= 1_000_000) {
            jobs.generate(Math.min(left, 1_000_000)).await().indefinitely();
        }
        sql("VACUUM ANALYZE ml_jobs");
        long eligible = count("SELECT count(*) FROM ml_jobs WHERE " + ELIGIBLE);
        long totalBefore = count("SELECT count(*) FROM ml_jobs") + count("SELECT count(*) FROM ml_jobs_archive");
        line("## archival of %,d rows, %,d eligible (%.0f%%)", rows, eligible, 100.0 * eligible / rows);

        List<Double> listingBefore = listFor(3_000);

        AtomicBoolean running = new AtomicBoolean(true);
        List<Double> listingDuring = Collections.synchronizedList(new ArrayList<>());
        AtomicLong longestWriteMicros = new AtomicLong();
        AtomicLong longestLockWaitMicros = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<Future<?>> load = new ArrayList<>();
        load.add(clients.submit(() -> {
            while (running.get()) {
                listingDuring.add(timeGet("/jobs?limit=50"));
            }
            return null;
        }));
        long maxId = count("SELECT max(id) FROM ml_jobs");
        load.add(clients.submit(() -> {
            // A writer touching old finished rows: exactly the rows the archival locks and moves.
            while (running.get()) {
                long id = 1 + ThreadLocalRandom.current().nextLong(maxId);
                long started = System.nanoTime();
                pool.preparedQuery("UPDATE ml_jobs SET result_label = 'relabelled' WHERE id = $1")
                        .execute(Tuple.of(id)).await().indefinitely();
                longestWriteMicros.accumulateAndGet((System.nanoTime() - started) / 1_000, Math::max);
                writes.incrementAndGet();
            }
            return null;
        }));
        load.add(clients.submit(() -> {
            // Samples how long any backend has been waiting on a lock.
            while (running.get()) {
                Row row = pool.query("""
                        SELECT COALESCE(max(extract(epoch FROM now() - state_change)) * 1e6, 0)::bigint
                          FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
                        """).execute().await().indefinitely().iterator().next();
                longestLockWaitMicros.accumulateAndGet(row.getLong(0), Math::max);
                Thread.sleep(5);
            }
            return null;
        }));

        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(base.resolve("/admin/archive-jobs?days_old=30"))
                .header("Authorization", Admin.BASIC_AUTH)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        Row run;
        do {
            Thread.sleep(100);
            run = pool.query("SELECT * FROM ml_archive_runs ORDER BY id DESC LIMIT 1").execute().await().indefinitely()
                    .iterator().next();
        } while ("running".equals(run.getString("state")));
        running.set(false);
        for (Future<?> f : load) {
            f.get();
        }
        clients.shutdown();

        double seconds = (run.getOffsetDateTime("finished_at").toInstant().toEpochMilli()
                - run.getOffsetDateTime("started_at").toInstant().toEpochMilli()) / 1000.0;
        long archived = run.getLong("archived");
        long totalAfter = count("SELECT count(*) FROM ml_jobs") + count("SELECT count(*) FROM ml_jobs_archive");
        long duplicated = count("""
                SELECT count(*) FROM (
                    SELECT job_uuid FROM (SELECT job_uuid FROM ml_jobs UNION ALL SELECT job_uuid FROM ml_jobs_archive) u
                     GROUP BY job_uuid HAVING count(*) > 1) d
                """);
        line("run answered %d; state %s: %,d rows in %d batches, %.1f s: %,.0f rows/s", accepted.statusCode(),
                run.getString("state"), archived, run.getInteger("batches"), seconds, archived / seconds);
        line("writer during the run: %,d single-row updates, slowest %.1f ms; longest lock wait seen %.1f ms",
                writes.get(), longestWriteMicros.get() / 1000.0, longestLockWaitMicros.get() / 1000.0);
        line("GET /jobs?limit=50 p50/p99 before: %.2f / %.2f ms; during: %.2f / %.2f ms (%,d calls)",
                percentile(listingBefore, 50), percentile(listingBefore, 99), percentile(listingDuring, 50),
                percentile(listingDuring, 99), listingDuring.size());
        line("rows in both tables before %,d, after %,d; job_uuids in both tables: %d", totalBefore, totalAfter,
                duplicated);

        // The naive version on the same rows: put them back, then one INSERT … SELECT and one DELETE.
        sql("INSERT INTO ml_jobs (" + JobRepository.ALL_COLUMNS + ") OVERRIDING SYSTEM VALUE SELECT "
                + JobRepository.ALL_COLUMNS + " FROM ml_jobs_archive");
        sql("TRUNCATE ml_jobs_archive");
        sql("VACUUM ANALYZE ml_jobs");
        long started = System.nanoTime();
        long naive = pool.withTransaction(conn -> conn.query("INSERT INTO ml_jobs_archive (" + JobRepository.ALL_COLUMNS
                        + ") SELECT " + JobRepository.ALL_COLUMNS + " FROM ml_jobs WHERE " + ELIGIBLE).execute()
                .chain(inserted -> conn.query("DELETE FROM ml_jobs WHERE " + ELIGIBLE).execute()
                        .map(deleted -> (long) deleted.rowCount())))
                .await().indefinitely();
        double naiveSeconds = (System.nanoTime() - started) / 1e9;
        line("naive single transaction: %,d rows in %.1f s: %,.0f rows/s (batched/naive: %.2f)", naive, naiveSeconds,
                naive / naiveSeconds, (archived / seconds) / (naive / naiveSeconds));

        Path out = Path.of("target", "bench-archive.md");
        Files.writeString(out, report);
        System.out.println("\n" + report + "\nwritten to " + out);
    }

    private List<Double> listFor(int calls) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            millis.add(timeGet("/jobs?limit=50"));
        }
        return millis;
    }

    private double timeGet(String path) throws Exception {
        long started = System.nanoTime();
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode());
        }
        return (System.nanoTime() - started) / 1e6;
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN
                : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().indefinitely();
    }

    private void line(String format, Object... args) {
        report.append(String.format(format, args)).append('\n');
    }
}
