package io.mljobs.db;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mljobs.testing.LocalPostgres;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A primary and a synchronous streaming standby from the local binaries, given to the service as one multi-host URL.
 * Under light load (a few submitters, about 35 requests a second) the primary is stopped at once (immediate
 * shutdown, as a crash) and, a second later, the standby promoted: the service must find the new primary by itself,
 * accept writes again within 10 s of the promotion, answer every request meanwhile 201 or 503 with Retry-After
 * (never a 500, never a hang), and have lost no job it answered 201 for; /jobs/stats still equals count(*).
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "failover"), @ResourceArg(name = "failover", value = "true") })
class FailoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The bound: writes accepted again this soon after the promotion. */
    private static final Duration SWITCH_BOUND = Duration.ofSeconds(10);
    /** A request that takes longer has hung (API statements time out after 5 s, admission after 2 s). */
    private static final Duration REQUEST_BOUND = Duration.ofSeconds(10);
    private static final int SUBMITTERS = 3;
    private static final long PAUSE_MS = 80;
    /** No status other than these, ever; -1 stands for no answer within the bound. */
    private static final Set<Integer> ALLOWED = Set.of(201, 503);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Notifications notifications;

    /** One submission: when it was sent and answered (System.nanoTime), and what came back. */
    record Outcome(long sent, long answered, int status, String retryAfter, String jobUuid, String body) {
    }

    @Test
    void writesMoveToThePromotedStandbyAndNoAcknowledgedJobIsLost() throws Exception {
        Config config = ConfigProvider.getConfig();
        LocalPostgres primary = LocalPostgres.attach(Path.of(config.getValue("mljobs-test.pg-data-dir", String.class)),
                config.getValue("mljobs-test.pg-port", Integer.class));
        LocalPostgres standby = LocalPostgres.attach(
                Path.of(config.getValue("mljobs-test.standby-data-dir", String.class)),
                config.getValue("mljobs-test.standby-port", Integer.class));
        String url = config.getValue("mljobs.db.url", String.class);
        String database = url.substring(url.lastIndexOf('/') + 1);
        assertTrue(url.contains(":" + primary.port() + ",") && url.contains(":" + standby.port() + "/"), url);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        assertEquals(201, submit(client, "before the failover").status(), "writes reach the primary first");
        Waits.until("the LISTEN connection", () -> notifications.connected() ? true : null);

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
        for (int t = 0; t < SUBMITTERS; t++) {
            int thread = t;
            submitters.submit(() -> {
                for (int i = 0; running.get(); i++) {
                    outcomes.add(submit(client, "failover " + thread + "-" + i));
                    Thread.sleep(PAUSE_MS);
                }
                return null;
            });
        }
        long promoted;
        long stopped;
        long promoteTook;
        Outcome firstWrite;
        try {
            Thread.sleep(1_500);
            stopped = System.nanoTime();
            LocalPostgres.stop(primary.dataDir());
            // What a failover manager (Patroni, an operator) takes to decide; requests meanwhile get 503.
            Thread.sleep(1_000);
            long promoting = System.nanoTime();
            standby.promote();
            promoted = System.nanoTime();
            promoteTook = promoted - promoting;
            firstWrite = firstWriteAfter(outcomes, promoted);
            // Writes keep landing on the new primary for a while.
            Thread.sleep(2_000);
        } finally {
            running.set(false);
            submitters.shutdown();
            assertTrue(submitters.awaitTermination(REQUEST_BOUND.toSeconds() * 2, TimeUnit.SECONDS),
                    "the submitters ended");
        }

        List<Outcome> all = List.copyOf(outcomes);
        Map<Integer, Long> byStatus = all.stream()
                .collect(Collectors.groupingBy(Outcome::status, TreeMap::new, Collectors.counting()));
        long longest = all.stream().mapToLong(o -> o.answered() - o.sent()).max().orElse(0);
        long unavailable = byStatus.getOrDefault(503, 0L);
        System.out.printf(
                "failover: standby promoted %d ms after the primary stopped (pg_ctl promote %d ms); first 201 %s ms"
                        + " after the promotion; %d requests: %s; longest %d ms%n",
                (promoted - stopped) / 1_000_000, promoteTook / 1_000_000,
                firstWrite == null ? "never" : Long.toString((firstWrite.answered() - promoted) / 1_000_000),
                all.size(), byStatus, longest / 1_000_000);

        assertNotNull(firstWrite, "no write succeeded within " + SWITCH_BOUND.toSeconds() + " s of the promotion");
        assertTrue(firstWrite.answered() - promoted <= SWITCH_BOUND.toNanos(),
                "first write " + (firstWrite.answered() - promoted) / 1_000_000 + " ms after the promotion");
        for (Outcome outcome : all) {
            assertTrue(ALLOWED.contains(outcome.status()), "answered " + outcome.status() + ": " + outcome.body());
            if (outcome.status() == 503) {
                assertEquals("1", outcome.retryAfter(), "a 503 says when to retry: " + outcome.body());
                assertTrue(outcome.body().contains("/problems/database-unavailable"), outcome.body());
            }
        }
        assertTrue(longest < REQUEST_BOUND.toNanos(), "a request took " + longest / 1_000_000 + " ms");
        assertTrue(unavailable > 0, "the outage was seen: " + byStatus);
        assertTrue(all.stream().anyMatch(o -> o.status() == 201 && o.sent() < stopped), "writes before the failover");

        // Every job answered 201, before or after the failover, is on the new primary (the standby flushed each
        // commit before the old primary acknowledged it).
        Set<String> acknowledged = all.stream().filter(o -> o.status() == 201).map(Outcome::jobUuid)
                .collect(Collectors.toSet());
        Set<String> present = new HashSet<>();
        Map<String, Long> counted = new HashMap<>();
        try (Connection jdbc = DriverManager.getConnection(standby.url(database).replaceFirst("^", "jdbc:"),
                standby.user(), ""); Statement statement = jdbc.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT job_uuid::text FROM ml_jobs")) {
                while (rows.next()) {
                    present.add(rows.getString(1));
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT status, count(*) FROM ml_jobs GROUP BY status")) {
                while (rows.next()) {
                    counted.put(rows.getString(1), rows.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("reading the new primary", e);
        }
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(present);
        assertEquals(Set.of(), missing, "jobs answered 201 but missing after the failover");

        JsonNode stats = JSON.readTree(given().get("/jobs/stats").then().statusCode(200).extract().asString());
        long total = 0;
        for (String status : List.of("pending", "running", "completed", "failed")) {
            assertEquals(counted.getOrDefault(status, 0L), stats.path("by_status").path(status).asLong(), status);
            total += counted.getOrDefault(status, 0L);
        }
        assertEquals(total, stats.path("total").asLong(), "stats total equals count(*)");

        // The LISTEN connection and the background pool (readiness pings on it) follow the new primary too.
        Waits.until("the LISTEN connection on the new primary", () -> notifications.connected() ? true : null);
        Waits.until("readiness on the new primary",
                () -> given().get("/q/health/ready").then().extract().statusCode() == 200 ? true : null);
    }

    /** The first submission answered 201 after the promotion, waited for up to the switch bound. */
    private static Outcome firstWriteAfter(ConcurrentLinkedQueue<Outcome> outcomes, long promoted)
            throws InterruptedException {
        long deadline = promoted + SWITCH_BOUND.toNanos() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            Outcome first = outcomes.stream().filter(o -> o.status() == 201 && o.answered() > promoted)
                    .min((a, b) -> Long.compare(a.answered(), b.answered())).orElse(null);
            if (first != null) {
                return first;
            }
            Thread.sleep(20);
        }
        return null;
    }

    private Outcome submit(HttpClient client, String text) {
        long sent = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/jobs"))
                    .timeout(REQUEST_BOUND).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("input_text", text))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String uuid = null;
            if (response.statusCode() == 201) {
                uuid = JSON.readTree(response.body()).path("job_uuid").asText();
            }
            return new Outcome(sent, System.nanoTime(), response.statusCode(),
                    response.headers().firstValue("Retry-After").orElse(null), uuid, response.body());
        } catch (Exception e) {
            // A timeout (a hang) or a refused connection: never allowed.
            return new Outcome(sent, System.nanoTime(), -1, null, null, e.toString());
        }
    }
}
