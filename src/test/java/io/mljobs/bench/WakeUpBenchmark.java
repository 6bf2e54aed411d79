package io.mljobs.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Prints the wake-up figures of {@code wait_seconds}; asserts nothing about speed. Not part of {@code verify} (its
 * name matches no test pattern). Run:
 *
 * <pre>
 * ./mvnw test -Dtest=WakeUpBenchmark
 * </pre>
 *
 * An idle fleet of 100 workers, first waiting (wait_seconds 30), then, as the baseline in the same process, polling
 * once a second: jobs submitted one at a time, 10 a second; for each, the time from sending its POST /jobs to the
 * worker's claim answer, and the claim queries a second the idle fleet costs. Then 1,000 claims waiting at once:
 * the connections and queries they cost. The service runs in this JVM, on the same 2 cores as PostgreSQL.
 */
@QuarkusTest
@Timeout(value = 30, unit = TimeUnit.MINUTES)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "wakeup"))
class WakeUpBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FLEET = 100;
    private static final int JOBS = 300;
    private static final long SUBMIT_EVERY_MS = 100;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/")
    URI base;

    @Inject
    MeterRegistry registry;

    @Inject
    Pool pool;

    @Test
    void wakeUps() throws Exception {
        System.out.println("\n== wait_seconds: submission to claim, 100 idle workers, " + JOBS + " jobs at "
                + (1000 / SUBMIT_EVERY_MS) + "/s");
        System.out.println("fleet                          | p50 ms | p99 ms | max ms | idle claim queries/s");
        fleet("waiting (wait_seconds 30)", 30, 0);
        fleet("baseline: polling every 1 s", 0, 1_000);
        thousandWaiting();
    }

    /** Runs a fleet, measures submission-to-claim and the idle fleet's query rate, and stops it. */
    private void fleet(String name, int waitSeconds, long pollMs) throws Exception {
        Map<String, Long> submittedAt = new ConcurrentHashMap<>();
        Map<String, Long> claimedAt = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < FLEET; w++) {
            String body = "{\"worker_id\": \"w" + w + "\", \"limit\": 1, \"wait_seconds\": " + waitSeconds + "}";
            long phase = pollMs * w / FLEET;
            Thread worker = new Thread(() -> {
                try {
                    Thread.sleep(phase);
                    while (running.get()) {
                        long sent = System.nanoTime();
                        HttpResponse<String> answer = http.send(post("/jobs/claim", body),
                                HttpResponse.BodyHandlers.ofString());
                        long now = System.nanoTime();
                        boolean got = false;
                        for (var job : JSON.readTree(answer.body()).path("jobs")) {
                            // The claim may answer before the submitter has read its own 201.
                            claimedAt.put(job.get("job_uuid").asText(), now);
                            got = true;
                        }
                        long rest = pollMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                        if (!got && rest > 0) {
                            Thread.sleep(rest);
                        }
                    }
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            worker.start();
            workers.add(worker);
        }
        Thread.sleep(2_000); // every worker has made its first claim
        double before = claimQueries();
        Thread.sleep(5_000);
        double idleRate = (claimQueries() - before) / 5;

        for (int i = 0; i < JOBS; i++) {
            long sent = System.nanoTime();
            HttpResponse<String> created = http.send(post("/jobs", "{\"input_text\": \"wake " + i + "\"}"),
                    HttpResponse.BodyHandlers.ofString());
            submittedAt.put(JSON.readTree(created.body()).get("job_uuid").asText(), sent);
            Thread.sleep(Math.max(0, SUBMIT_EVERY_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)));
        }
        Waits.until("every job claimed", () -> claimedAt.keySet().containsAll(submittedAt.keySet()) ? true : null);
        running.set(false);
        // Waiting workers end with their wait (at most 30 s); polling ones within a second.
        for (Thread worker : workers) {
            worker.join(45_000);
        }
        List<Long> sorted = new ArrayList<>();
        submittedAt.forEach((uuid, sent) -> sorted.add(TimeUnit.NANOSECONDS.toMicros(claimedAt.get(uuid) - sent)));
        Collections.sort(sorted);
        System.out.printf("%-30s | %6.1f | %6.1f | %6.1f | %.1f%n", name, pct(sorted, 0.50), pct(sorted, 0.99),
                sorted.get(sorted.size() - 1) / 1000.0, idleRate);
    }

    /** 1,000 claims waiting at once: what they cost while they wait, and the wake-up of one of them. */
    private void thousandWaiting() throws Exception {
        int count = 1_000;
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            waiting.add(http.sendAsync(post("/jobs/claim", "{\"worker_id\": \"k" + i + "\", \"limit\": 1, "
                    + "\"wait_seconds\": 20}"), HttpResponse.BodyHandlers.ofString()));
        }
        Waits.until(count + " claims waiting", () -> waitingClaims() >= count ? true : null);
        Thread.sleep(1_000);
        double before = claimQueries();
        Thread.sleep(5_000);
        double queries = claimQueries() - before;
        var row = pool.query("SELECT count(*) FILTER (WHERE application_name = 'ml-jobs-listener'), "
                + "count(*) FILTER (WHERE state = 'active' AND pid <> pg_backend_pid()) FROM pg_stat_activity "
                + "WHERE datname = current_database()").execute().await().atMost(Waits.BOUND).iterator().next();
        long sent = System.nanoTime();
        http.send(post("/jobs", "{\"input_text\": \"one for a thousand\"}"), HttpResponse.BodyHandlers.ofString());
        long wokenMs = -1;
        while (wokenMs < 0 && System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(20)) {
            for (var f : waiting) {
                if (f.isDone() && f.get().body().contains("one for a thousand")) {
                    wokenMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                }
            }
            Thread.sleep(1);
        }
        System.out.printf("%n== 1,000 claims waiting at once%nclaim queries in 5 s while waiting: %.0f; listening "
                + "connections: %d; active statements: %d; one job submitted, claimed after %d ms (to within the 1 ms "
                + "polling of this benchmark)%n", queries, row.getLong(0), row.getLong(1), wokenMs);
        for (var f : waiting) {
            f.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private HttpRequest post(String path, String json) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(45))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private double claimQueries() {
        return registry.find("mljobs.db.query").tag("query", "queue.claim").timers().stream()
                .mapToDouble(timer -> timer.count()).sum();
    }

    private double waitingClaims() {
        var gauge = registry.find("mljobs.queue.waiting.claims").gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private static double pct(List<Long> sortedMicros, double q) {
        return sortedMicros.get(Math.min(sortedMicros.size() - 1, (int) Math.ceil(q * sortedMicros.size()) - 1))
                / 1000.0;
    }
}
