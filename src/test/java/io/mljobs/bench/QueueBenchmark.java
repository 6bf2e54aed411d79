package io.mljobs.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.mljobs.job.JobRepository;
import io.mljobs.stats.StatsRepository;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Prints the stats issue's figures; asserts nothing about speed. Not part of {@code verify} (its
 * name matches no test pattern). Run:
 *
 * <pre>
 * ./mvnw test -Dtest=QueueBenchmark -Dbench.sizes=10000,1000000[,10000000]
 * </pre>
 *
 * The service runs in the same JVM as the load it measures, on the same 2 cores as PostgreSQL.
 */
@QuarkusTest
// Loading and measuring ten million rows outlasts the 10 min bound every test has (pom.xml, surefire).
@Timeout(value = 3, unit = TimeUnit.HOURS)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "bench"))
class QueueBenchmark {

    private static final int STATS_CALLS = 2_000;
    private static final int GROUP_BY_CALLS = 10;
    private static final int BATCH = 1_000;
    private static final int BATCHES_PER_CLIENT = 50;
    private static final int INSERT_CLIENTS = 4;
    private static final int CLAIM_WORKERS = 8;
    private static final Duration CLAIM_TIME = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Inject
    JobRepository jobs;

    @Inject
    StatsRepository counts;

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();
    private final StringBuilder report = new StringBuilder();

    @Test
    void run() throws Exception {
        long[] sizes = Arrays.stream(System.getProperty("bench.sizes", "10000,1000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        line("## stats: GET /jobs/stats against GROUP BY, same JVM and database");
        line("| rows | stats p50 ms | stats p99 ms | GROUP BY p50 ms |");
        line("| ---: | ---: | ---: | ---: |");
        // Warm the JIT on both paths first, or the smallest size pays for compilation.
        latencies(3_000, () -> get("/jobs/stats"));
        double[] statsP50 = new double[sizes.length];
        double[] groupByP50 = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            fillTo(sizes[i]);
            double[] stats = latencies(STATS_CALLS, () -> get("/jobs/stats"));
            double[] groupBy = latencies(GROUP_BY_CALLS, () -> sql("SELECT status, count(*) FROM ml_jobs GROUP BY status"));
            statsP50[i] = percentile(stats, 50);
            groupByP50[i] = percentile(groupBy, 50);
            line("| %,d | %.3f | %.3f | %.1f |", sizes[i], statsP50[i], percentile(stats, 99), groupByP50[i]);
        }
        int last = sizes.length - 1;
        line("");
        line("stats p50 ratio %,d / %,d rows: %.2f (GROUP BY: %.1f)", sizes[last], sizes[0],
                statsP50[last] / statsP50[0], groupByP50[last] / groupByP50[0]);

        line("");
        line("## POST /jobs/batch, %d clients, batches of %,d, into the %,d-row table", INSERT_CLIENTS, BATCH,
                count());
        insertRate();
        // Alternate, so that table growth and background work weigh on both sides alike.
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            with.add(insertRate());
            setCounters(false);
            without.add(insertRate());
            setCounters(true);
        }
        double withMedian = median(with);
        double withoutMedian = median(without);
        line("jobs/s with counters: %s; without: %s", rates(with), rates(without));
        line("median with / median without: %.3f (counters cost %.1f%%)", withMedian / withoutMedian,
                100 * (1 - withMedian / withoutMedian));
        line("");
        line("## POST /jobs/claim, %d workers, limit 10, %d s", CLAIM_WORKERS, CLAIM_TIME.toSeconds());
        long[] claimed = claimRate();
        line("%,.0f claim calls/s, %,.0f jobs claimed/s", claimed[0] / (double) CLAIM_TIME.toSeconds(),
                claimed[1] / (double) CLAIM_TIME.toSeconds());

        Path out = Path.of("target", "bench-queue.md");
        Files.writeString(out, report);
        System.out.println("\n" + report + "\nwritten to " + out);
    }

    private void fillTo(long rows) {
        long now = count();
        if (rows > now) {
            long started = System.nanoTime();
            // generate() in chunks keeps each statement's transition table modest.
            for (long left = rows - now; left > 0; left -= 1_000_000) {
                jobs.generate((int) Math.min(left, 1_000_000)).await().atMost(Waits.BENCHMARK_BOUND);
            }
            System.out.printf("filled to %,d rows in %.1f s%n", rows, (System.nanoTime() - started) / 1e9);
        }
        sql("VACUUM ANALYZE ml_jobs");
        counts.compactCounters().await().atMost(Waits.BENCHMARK_BOUND);
    }

    private double insertRate() throws Exception {
        String body = IntStream.range(0, BATCH)
                .mapToObj(i -> "{\"input_text\": \"benchmark job " + i + " with a realistic amount of input text "
                        + "to classify, about a hundred characters long\"}")
                .collect(Collectors.joining(", ", "{\"jobs\": [", "]}"));
        post("/jobs/batch", body);
        long started = System.nanoTime();
        runConcurrently(INSERT_CLIENTS, () -> {
            for (int i = 0; i < BATCHES_PER_CLIENT; i++) {
                int status = post("/jobs/batch", body);
                if (status != 201) {
                    throw new IllegalStateException("batch answered " + status);
                }
            }
            return null;
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        return INSERT_CLIENTS * BATCHES_PER_CLIENT * BATCH / seconds;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static String rates(List<Double> values) {
        return values.stream().map(v -> String.format("%,.0f", v)).collect(Collectors.joining(", "));
    }

    private long[] claimRate() throws Exception {
        AtomicLong calls = new AtomicLong();
        AtomicLong claimedJobs = new AtomicLong();
        long deadline = System.nanoTime() + CLAIM_TIME.toNanos();
        runConcurrently(CLAIM_WORKERS, () -> {
            String body = "{\"worker_id\": \"" + Thread.currentThread().getName() + "\", \"limit\": 10}";
            while (System.nanoTime() < deadline) {
                HttpResponse<String> response = http.send(json("/jobs/claim", body), HttpResponse.BodyHandlers.ofString());
                calls.incrementAndGet();
                claimedJobs.addAndGet(response.body().split("\"job_uuid\"", -1).length - 1);
            }
            return null;
        });
        return new long[] { calls.get(), claimedJobs.get() };
    }

    private void setCounters(boolean on) {
        String verb = on ? "ENABLE" : "DISABLE";
        sql("ALTER TABLE ml_jobs " + verb + " TRIGGER ml_jobs_count_insert");
        if (on) {
            // Rows inserted while the counters were off: recount, as a fresh migration would.
            sql("""
                    BEGIN;
                    LOCK TABLE ml_jobs IN SHARE MODE;
                    DELETE FROM ml_job_counts;
                    DELETE FROM ml_job_count_changes;
                    INSERT INTO ml_job_counts (status, slot, n) SELECT status, 0, count(*) FROM ml_jobs GROUP BY status;
                    COMMIT;
                    """);
        }
    }

    private static void runConcurrently(int threads, Callable<Void> task) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(executor.submit(task));
            }
            for (Future<Void> future : futures) {
                future.get();
            }
        } finally {
            executor.shutdown();
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static double[] latencies(int calls, Call call) throws Exception {
        for (int i = 0; i < Math.min(200, calls); i++) {
            call.run();
        }
        double[] millis = new double[calls];
        for (int i = 0; i < calls; i++) {
            long started = System.nanoTime();
            call.run();
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        return millis;
    }

    private static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private void get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode());
        }
    }

    private int post(String path, String body) throws IOException, InterruptedException {
        return http.send(json(path, body), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest json(String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private void sql(String sql) {
        pool.query(sql).execute().await().atMost(Waits.BENCHMARK_BOUND);
    }

    private long count() {
        return pool.query("SELECT count(*) FROM ml_jobs").execute().await().atMost(Waits.BENCHMARK_BOUND).iterator().next()
                .getLong(0);
    }

    private void line(String format, Object... args) {
        report.append(String.format(format, args)).append('\n');
    }
}
