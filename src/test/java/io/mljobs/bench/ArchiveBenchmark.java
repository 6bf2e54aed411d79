package io.mljobs.bench;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.mljobs.job.JobRepository;
import io.mljobs.testing.Admin;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Prints the archival issue's figures; asserts nothing about speed. Archives a table of
 * {@code bench.rows} jobs (~83% eligible) while clients keep listing and writing, then restores it
 * and runs the naive single-transaction INSERT … SELECT + DELETE in the same process. Run:
 *
 * <pre>
 * ./mvnw test -Dtest=ArchiveBenchmark -Dbench.rows=1000000 [-Dbench.batch=5000]
 * </pre>
 *
 * With {@code -Dbench.quiet-only=true} it runs only the service's archival without load, {@code bench.repeat}
 * times (2), restoring the table between: the figure to compare two versions of the service with.
 */
@QuarkusTest
// Loading and measuring ten million rows outlasts the 10 min bound every test has (pom.xml, surefire).
@Timeout(value = 3, unit = TimeUnit.HOURS)
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

    /** What one archival pass measured. */
    record Pass(long rows, double seconds, double slowestWriteMs, double longestLockWaitMs, List<Double> listing,
            long writes) {
        double rate() {
            return rows / seconds;
        }
    }

    @Test
    void run() throws Exception {
        int rows = Integer.getInteger("bench.rows", 1_000_000);
        for (int left = rows; left > 0; left -= 1_000_000) {
            jobs.generate(Math.min(left, 1_000_000)).await().atMost(Waits.BENCHMARK_BOUND);
        }
        sql("VACUUM ANALYZE ml_jobs");
        long eligible = count("SELECT count(*) FROM ml_jobs WHERE " + ELIGIBLE);
        long totalBefore = total();
        line("## archival of %,d rows, %,d eligible (%.0f%%), days_old=30, batch_size=%s", rows, eligible,
                100.0 * eligible / rows, System.getProperty("bench.batch", "5000"));
        line("load during a pass: one client listing GET /jobs?limit=50, one writer updating random rows "
                + "(old finished ones included) one at a time, one sampler of that writer's lock waits "
                + "(pg_stat_activity every 5 ms)");
        List<Double> listingBefore = listFor(3_000);
        line("GET /jobs?limit=50 before: p50 %.2f ms, p99 %.2f ms", percentile(listingBefore, 50),
                percentile(listingBefore, 99));
        line("");
        line("| version | load | rows | seconds | rows/s | slowest writer ms | longest lock wait ms | listing p50 / p99 ms |");
        line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");

        if (Boolean.getBoolean("bench.quiet-only")) {
            // The service's archival alone, without load, bench.repeat times: to compare versions back to back.
            for (int i = 0; i < Integer.getInteger("bench.repeat", 2); i++) {
                String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
                row("batched (service)", "no (load average " + load + ")", underLoad(false, this::batched));
                restore();
            }
            Files.writeString(Path.of("target", "bench-archive.md"), report);
            System.out.println("\n" + report);
            return;
        }
        Pass batched = underLoad(true, this::batched);
        long totalAfter = total();
        long duplicated = count("""
                SELECT count(*) FROM (
                    SELECT job_uuid FROM (SELECT job_uuid FROM ml_jobs UNION ALL SELECT job_uuid FROM ml_jobs_archive) u
                     GROUP BY job_uuid HAVING count(*) > 1) d
                """);
        row("batched (service)", "yes", batched);
        restore();
        row("single transaction", "yes", underLoad(true, this::naive));
        restore();
        Pass quietBatched = underLoad(false, this::batched);
        row("batched (service)", "no", quietBatched);
        restore();
        Pass quietNaive = underLoad(false, this::naive);
        row("single transaction", "no", quietNaive);
        line("");
        line("invariant after the loaded batched run: rows in both tables %,d before, %,d after; job_uuids in both: %d",
                totalBefore, totalAfter, duplicated);
        line("batched / single transaction, no load: %.2f; under load: %.2f", quietBatched.rate() / quietNaive.rate(),
                batched.rate() / quietNaive.rate());

        Path out = Path.of("target", "bench-archive.md");
        Files.writeString(out, report);
        System.out.println("\n" + report + "\nwritten to " + out);
    }

    private interface Archival {
        long archive() throws Exception;
    }

    /** The service's own path: POST /admin/archive-jobs, then poll the run until it ends. */
    private long batched() throws Exception {
        String batchSize = System.getProperty("bench.batch", "5000");
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(
                base.resolve("/admin/archive-jobs?days_old=30&batch_size=" + batchSize))
                .header("Authorization", Admin.BASIC_AUTH)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (accepted.statusCode() != 200 && accepted.statusCode() != 202) {
            throw new IllegalStateException("archive-jobs answered " + accepted.statusCode() + ": " + accepted.body());
        }
        Row run;
        do {
            Thread.sleep(20);
            run = pool.query("SELECT * FROM ml_archive_runs ORDER BY id DESC LIMIT 1").execute().await()
                    .atMost(Waits.BENCHMARK_BOUND)
                    .iterator().next();
        } while ("running".equals(run.getString("state")));
        return run.getLong("archived");
    }

    /** One INSERT … SELECT and one DELETE in a single transaction. */
    private long naive() {
        return pool.withTransaction(conn -> conn.query("INSERT INTO ml_jobs_archive (" + JobRepository.ALL_COLUMNS
                + ") SELECT " + JobRepository.ALL_COLUMNS + " FROM ml_jobs WHERE " + ELIGIBLE).execute()
                .chain(inserted -> conn.query("DELETE FROM ml_jobs WHERE " + ELIGIBLE).execute()
                        .map(deleted -> (long) deleted.rowCount())))
                .await().atMost(Waits.BENCHMARK_BOUND);
    }

    private Pass underLoad(boolean load, Archival archival) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Double> listing = Collections.synchronizedList(new ArrayList<>());
        AtomicLong slowestWriteMicros = new AtomicLong();
        AtomicLong longestLockWaitMicros = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<Future<?>> tasks = new ArrayList<>();
        long maxId = count("SELECT max(id) FROM ml_jobs");
        if (load) {
            tasks.add(clients.submit(() -> {
                while (running.get()) {
                    listing.add(timeGet("/jobs?limit=50"));
                }
                return null;
            }));
            tasks.add(clients.submit(() -> {
                // Touches old finished rows too: exactly the rows an archival locks and moves.
                while (running.get()) {
                    long id = 1 + ThreadLocalRandom.current().nextLong(maxId);
                    long started = System.nanoTime();
                    pool.preparedQuery("UPDATE ml_jobs SET result_label = 'relabelled' WHERE id = $1")
                            .execute(Tuple.of(id)).await().atMost(Waits.BENCHMARK_BOUND);
                    slowestWriteMicros.accumulateAndGet((System.nanoTime() - started) / 1_000, Math::max);
                    writes.incrementAndGet();
                }
                return null;
            }));
            tasks.add(clients.submit(() -> {
                while (running.get()) {
                    Row row = pool.query("""
                            SELECT COALESCE(max(extract(epoch FROM now() - state_change)) * 1e6, 0)::bigint
                              FROM pg_stat_activity
                             WHERE wait_event_type = 'Lock' AND datname = current_database()
                               AND query LIKE 'UPDATE ml_jobs SET result_label%'
                            """).execute().await().atMost(Waits.BENCHMARK_BOUND).iterator().next();
                    longestLockWaitMicros.accumulateAndGet(row.getLong(0), Math::max);
                    Thread.sleep(5);
                }
                return null;
            }));
        }
        long started = System.nanoTime();
        long archived = archival.archive();
        double seconds = (System.nanoTime() - started) / 1e9;
        running.set(false);
        for (Future<?> task : tasks) {
            task.get();
        }
        clients.shutdown();
        return new Pass(archived, seconds, slowestWriteMicros.get() / 1000.0, longestLockWaitMicros.get() / 1000.0,
                listing, writes.get());
    }

    /** Puts the archived rows back, as they were, for the next pass. */
    private void restore() {
        sql("INSERT INTO ml_jobs (" + JobRepository.ALL_COLUMNS + ") OVERRIDING SYSTEM VALUE SELECT "
                + JobRepository.ALL_COLUMNS + " FROM ml_jobs_archive");
        sql("TRUNCATE ml_jobs_archive");
        sql("VACUUM ANALYZE ml_jobs");
    }

    private void row(String version, String load, Pass pass) {
        line("| %s | %s | %,d | %.1f | %,.0f | %s | %s | %s |", version, load, pass.rows(), pass.seconds(), pass.rate(),
                pass.writes() == 0 ? "-" : String.format("%.1f", pass.slowestWriteMs()),
                pass.writes() == 0 ? "-" : String.format("%.1f", pass.longestLockWaitMs()),
                pass.listing().isEmpty() ? "-"
                        : String.format("%.2f / %.2f", percentile(pass.listing(), 50),
                                percentile(pass.listing(), 99)));
    }

    private long total() {
        return count("SELECT count(*) FROM ml_jobs") + count("SELECT count(*) FROM ml_jobs_archive");
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
        return pool.query(sql).execute().await().atMost(Waits.BENCHMARK_BOUND).iterator().next().getLong(0);
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(Waits.BENCHMARK_BOUND);
    }

    private void line(String format, Object... args) {
        report.append(String.format(format, args)).append('\n');
    }
}
