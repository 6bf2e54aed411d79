package io.mljobs.db;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mljobs.testing.Admin;
import io.mljobs.testing.Flood;
import io.mljobs.testing.LocalPostgres;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.core.http.HttpMethod;

/**
 * A primary and a streaming hot standby from the local binaries, the standby as the service's read replica, with
 * a staleness bound of 1 s. Where a statement ran is counted on each server (pg_stat_statements) and by the
 * service's own timer, labelled by server. Every test starts with the standby up, replaying and serving reads.
 */
@QuarkusTest
@TestProfile(ReadReplicaTest.OneSecondMaxLag.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "replica"), @ResourceArg(name = "standby", value = "true") })
class ReadReplicaTest {

    /** Also short API timeouts, so that a read waits at most 1 + 2 + 1 s for a hung standby. */
    public static class OneSecondMaxLag implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.db.replica.max-lag", "PT1S", "mljobs.db.statement-timeout", "PT2S",
                    "mljobs.db.pool.connection-timeout", "PT1S");
        }
    }

    private static final String REPLICA = "replica-1";
    private static final String PRIMARY = "primary";

    /** The page statements (pg_stat_statements shows each as the text the service prepared). */
    private static final String PAGES = "SELECT * FROM (%FROM ml_jobs%";
    private static final String STATS = "%FROM ml_job_count_changes) AS totals_and_changes%";
    private static final String RUN_LIST = "%FROM ml_archive_runs ORDER BY id DESC%";
    private static final String INSERTS = "insert into ml_jobs%";

    @Inject
    MeterRegistry registry;

    private LocalPostgres primary;
    private LocalPostgres standby;
    private String database;

    @BeforeEach
    void standbyServing() throws Exception {
        // Looked up here, not injected: only this test's application has these properties.
        Config config = ConfigProvider.getConfig();
        primary = LocalPostgres.attach(Path.of(config.getValue("mljobs-test.pg-data-dir", String.class)),
                config.getValue("mljobs-test.pg-port", Integer.class));
        standby = LocalPostgres.attach(Path.of(config.getValue("mljobs-test.standby-data-dir", String.class)),
                config.getValue("mljobs-test.standby-port", Integer.class));
        String url = config.getValue("mljobs.db.url", String.class);
        database = url.substring(url.lastIndexOf('/') + 1);
        if (!canConnect(standby)) {
            standby.startServer();
        }
        execute(standby, "SELECT pg_wal_replay_resume()");
        awaitServing(true);
    }

    @Test
    void readsReachTheStandbyAndWritesThePrimary() throws Exception {
        long pagesOnStandby = calls(standby, PAGES);
        long pagesOnPrimary = calls(primary, PAGES);
        long statsOnStandby = calls(standby, STATS);
        long statsOnPrimary = calls(primary, STATS);
        long runListsOnStandby = calls(standby, RUN_LIST);
        long runListsOnPrimary = calls(primary, RUN_LIST);
        long insertsOnPrimary = calls(primary, INSERTS);

        for (int i = 0; i < 5; i++) {
            submit("write " + i);
        }
        String claimed = given().contentType(ContentType.JSON).body("{\"worker_id\": \"w\"}").post("/jobs/claim")
                .then().statusCode(200).extract().path("jobs[0].job_uuid");
        given().contentType(ContentType.JSON).body("{\"result_score\": 1.0}").post("/jobs/" + claimed + "/complete")
                .then().statusCode(200);
        awaitServing(true);
        for (int i = 0; i < 10; i++) {
            given().get("/jobs?limit=5").then().statusCode(200);
        }
        for (int i = 0; i < 4; i++) {
            given().get("/jobs/stats").then().statusCode(200);
        }
        for (int i = 0; i < 3; i++) {
            Admin.asAdmin().get("/admin/archive-runs").then().statusCode(200);
        }

        assertEquals(10, calls(standby, PAGES) - pagesOnStandby, "pages on the standby");
        assertEquals(0, calls(primary, PAGES) - pagesOnPrimary, "pages on the primary");
        assertEquals(4, calls(standby, STATS) - statsOnStandby, "stats reads on the standby");
        assertEquals(0, calls(primary, STATS) - statsOnPrimary, "stats reads on the primary");
        assertEquals(3, calls(standby, RUN_LIST) - runListsOnStandby, "archive run lists on the standby");
        assertEquals(0, calls(primary, RUN_LIST) - runListsOnPrimary, "archive run lists on the primary");
        assertEquals(5, calls(primary, INSERTS) - insertsOnPrimary, "inserts on the primary");
        // Claims and reports never have a replica's series at all; the primary's counted them.
        assertTrue(registry.find("mljobs.db.query").tag("query", "queue.claim").tag("server", REPLICA).timers().isEmpty());
        assertTrue(timerCount("queue.claim", PRIMARY) >= 1);
        assertTrue(timerCount("queue.finish", PRIMARY) >= 1);
        assertTrue(registry.find("mljobs.db.query").tag("query", "queue.finish").tag("server", REPLICA).timers().isEmpty());
    }

    @Test
    void dbHealthAndMetricsShowTheReplica() throws IOException {
        Admin.asAdmin().get("/admin/db-health").then().statusCode(200)
                .body("replicas.size()", equalTo(1))
                .body("replicas[0].name", equalTo(REPLICA))
                .body("replicas[0].url", equalTo("postgresql://127.0.0.1:" + standby.port() + "/" + database))
                .body("replicas[0].up", equalTo(true))
                .body("replicas[0].in_use", equalTo(true))
                .body("replicas[0].max_lag_seconds", equalTo(1.0f));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String series : new String[] { "mljobs_db_replica_up{replica=\"replica-1\"} 1.0",
                "mljobs_db_replica_serving{replica=\"replica-1\"} 1.0",
                "mljobs_db_replica_lag_seconds{replica=\"replica-1\"}",
                "mljobs_db_replica_fallbacks_total{reason=\"miss\",replica=\"replica-1\"}",
                // Declared from start-up for the replica too, whether or not a read ran there yet.
                "mljobs_db_query_seconds_count{outcome=\"error\",query=\"jobs.page.by_status.asc\",server=\"replica-1\"}",
                "mljobs_db_query_seconds_count{outcome=\"success\",query=\"jobs.page.desc\",server=\"primary\"}" }) {
            assertTrue(metrics.contains(series), series);
        }
        assertTrue(!metrics.contains("query=\"queue.claim\",server=\"replica-1\""), "a claim has no replica series");
        // The Prometheus text format, which deploy/check lints with promtool beside MetricsHygieneTest's scrape.
        Files.writeString(Path.of("target", "metrics-replica.txt"),
                given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString());
    }

    @Test
    void aJobIsFoundRightAfterItsSubmissionWhileReplayIsPaused() throws Exception {
        boolean missSeen = false;
        for (int attempt = 0; attempt < 3 && !missSeen; attempt++) {
            execute(standby, "SELECT pg_wal_replay_resume()");
            awaitServing(true);
            pauseReplay();
            long lookupsOnReplica = timerCount("jobs.find_by_uuid", REPLICA);
            long positionsOnReplica = timerCount("jobs.find_position", REPLICA);
            double misses = misses();

            String job = submit("read your writes");
            given().get("/jobs/" + job).then().statusCode(200).body("job_uuid", equalTo(job));
            // A cursor naming the new job (the older API's job_uuid cursor) continues, not 400.
            given().get("/jobs?cursor=" + job).then().statusCode(200);

            // Proven only when the replica was still serving (within 1 s of the pause): then it had no row.
            if (timerCount("jobs.find_by_uuid", REPLICA) > lookupsOnReplica
                    && timerCount("jobs.find_position", REPLICA) > positionsOnReplica) {
                assertEquals(2.0, misses() - misses, "the two lookups were asked of the primary after a miss");
                assertEquals(0L, scalar(standby, "SELECT count(*) FROM ml_jobs WHERE job_uuid = '" + job + "'"),
                        "replay is paused: the standby has not got the job");
                missSeen = true;
            }
        }
        assertTrue(missSeen, "in three attempts the standby was never asked before it fell behind");
    }

    @Test
    void readsMoveToThePrimaryWhileTheStandbyLagsAndBackWhenItCatchesUp() throws Exception {
        pauseReplay();
        long written = System.nanoTime();
        submit("written while replay is paused");
        awaitServing(false);
        long skippedAfterMs = (System.nanoTime() - written) / 1_000_000;
        double lag = gauge("mljobs.db.replica.lag.seconds");
        assertTrue(lag > 1.0, "lag " + lag);
        long onPrimary = timerCount("jobs.page.desc", PRIMARY);
        long onReplica = timerCount("jobs.page.desc", REPLICA);
        for (int i = 0; i < 5; i++) {
            given().get("/jobs?limit=5").then().statusCode(200);
        }
        assertEquals(5, timerCount("jobs.page.desc", PRIMARY) - onPrimary, "pages on the primary while it lags");
        assertEquals(0, timerCount("jobs.page.desc", REPLICA) - onReplica, "pages on the replica while it lags");
        Admin.asAdmin().get("/admin/db-health").then().statusCode(200).body("replicas[0].in_use", equalTo(false))
                .body("replicas[0].up", equalTo(true));

        long resumed = System.nanoTime();
        execute(standby, "SELECT pg_wal_replay_resume()");
        awaitServing(true);
        long backAfterMs = (System.nanoTime() - resumed) / 1_000_000;
        for (int i = 0; i < 5; i++) {
            given().get("/jobs?limit=5").then().statusCode(200);
        }
        assertEquals(5, timerCount("jobs.page.desc", REPLICA) - onReplica, "pages on the replica once caught up");
        System.out.printf("max-lag 1 s: skipped %d ms after the first write it did not replay, serving again %d ms"
                + " after replay resumed%n", skippedAfterMs, backAfterMs);
        // One second of lag, at most one check (500 ms) to see it, and room for a loaded machine.
        assertTrue(skippedAfterMs < 3_000, "skipped after " + skippedAfterMs + " ms");
        assertTrue(backAfterMs < 2_000, "serving again after " + backAfterMs + " ms");
    }

    @Test
    void aStoppedStandbyFailsNoRequestAndServesAgainWhenBack() throws Exception {
        URI base = URI.create(RestAssured.baseURI + ":" + RestAssured.port);
        ExecutorService load = Executors.newSingleThreadExecutor();
        try {
            Future<Flood.Result> listings = load.submit(() -> Flood.run(base, HttpMethod.GET, "/jobs?limit=10", null, 4,
                    Duration.ofSeconds(4)));
            Thread.sleep(1_000);
            long onReplicaBefore = timerCount("jobs.page.desc", REPLICA);
            standby.stopServer();
            long stopped = System.nanoTime();
            Waits.until("the replica marked down", () -> gauge("mljobs.db.replica.up") == 0 ? true : null);
            long downAfterMs = (System.nanoTime() - stopped) / 1_000_000;
            Flood.Result result = listings.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);

            System.out.printf("standby stopped under 4 connections of listings: %s; skipped %d ms after it was down;"
                    + " %d pages on it before the stop%n", result, downAfterMs, onReplicaBefore);
            assertEquals(Map.of(200, result.count(200)), result.statuses(), result.toString());
            assertEquals(0, result.failed(), result.toString());
            assertTrue(result.count(200) > 0, result.toString());
            assertTrue(downAfterMs <= 1_000, "down after " + downAfterMs + " ms");
            Admin.asAdmin().get("/admin/db-health").then().statusCode(200).body("replicas[0].up", equalTo(false))
                    .body("replicas[0].in_use", equalTo(false));
        } finally {
            load.shutdownNow();
            if (!canConnect(standby)) {
                standby.startServer();
            }
        }
        long started = System.nanoTime();
        awaitServing(true);
        long backAfterMs = (System.nanoTime() - started) / 1_000_000;
        long onReplica = timerCount("jobs.page.desc", REPLICA);
        given().get("/jobs?limit=5").then().statusCode(200);
        assertEquals(1, timerCount("jobs.page.desc", REPLICA) - onReplica, "a page on the restarted standby");
        System.out.printf("restarted standby serving again %d ms after it accepted connections%n", backAfterMs);
        assertTrue(backAfterMs < 2_000, "serving again after " + backAfterMs + " ms");
    }

    @Test
    void aHungStandbyIsSkippedWithinASecondAndItsReadsAnswerFromThePrimary() throws Exception {
        URI base = URI.create(RestAssured.baseURI + ":" + RestAssured.port);
        ExecutorService load = Executors.newSingleThreadExecutor();
        double failuresBefore = fallbacks("failure");
        long frozen;
        long downAfterMs;
        Flood.Result result;
        try {
            Future<Flood.Result> listings = load.submit(() -> Flood.run(base, HttpMethod.GET, "/jobs?limit=10", null, 4,
                    Duration.ofSeconds(3)));
            Thread.sleep(500);
            standby.freeze();
            frozen = System.nanoTime();
            Waits.until("the hung replica marked down", () -> gauge("mljobs.db.replica.up") == 0 ? true : null);
            downAfterMs = (System.nanoTime() - frozen) / 1_000_000;
            result = listings.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS);
        } finally {
            load.shutdownNow();
            standby.thaw();
        }
        System.out.printf("standby frozen (SIGSTOP) under 4 connections of listings: %s; skipped %d ms after it hung;"
                + " %.0f reads given up on it and run on the primary%n", result, downAfterMs,
                fallbacks("failure") - failuresBefore);
        assertEquals(Map.of(200, result.count(200)), result.statuses(), result.toString());
        assertEquals(0, result.failed(), result.toString());
        // A check each 500 ms that gives up after 500 ms: about a second, and room for a loaded machine.
        assertTrue(downAfterMs <= 1_500, "down after " + downAfterMs + " ms");
        awaitServing(true);
    }

    private static String submit(String input) {
        return given().contentType(ContentType.JSON).body("{\"input_text\": \"" + input + "\"}").post("/jobs")
                .then().statusCode(201).extract().path("job_uuid");
    }

    /** 'pause requested' is paused enough: no record is replayed after it (it turns 'paused' at the next one). */
    private void pauseReplay() throws Exception {
        execute(standby, "SELECT pg_wal_replay_pause()");
        Waits.until("replay paused", () -> "not paused".equals(text(standby, "SELECT pg_get_wal_replay_pause_state()"))
                ? null
                : true);
    }

    private void awaitServing(boolean serving) throws InterruptedException {
        Waits.until(serving ? "the replica serving reads" : "the replica skipped",
                () -> (gauge("mljobs.db.replica.serving") == 1) == serving ? true : null);
    }

    private double gauge(String name) {
        Gauge gauge = registry.find(name).tag("replica", REPLICA).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    private double misses() {
        return fallbacks("miss");
    }

    private double fallbacks(String reason) {
        Counter counter = registry.find("mljobs.db.replica.fallbacks").tag("replica", REPLICA).tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private long timerCount(String query, String server) {
        Timer timer = registry.find("mljobs.db.query").tag("query", query).tag("outcome", "success")
                .tag("server", server).timer();
        return timer == null ? 0 : timer.count();
    }

    /** Executions on that server of statements whose text is ILIKE the pattern, by pg_stat_statements. */
    private long calls(LocalPostgres server, String pattern) throws SQLException {
        try (Connection connection = connect(server);
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements WHERE query ILIKE ?")) {
            statement.setString(1, pattern);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private long scalar(LocalPostgres server, String sql) throws SQLException {
        try (Connection connection = connect(server); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private String text(LocalPostgres server, String sql) throws SQLException {
        try (Connection connection = connect(server); ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private void execute(LocalPostgres server, String sql) throws SQLException {
        try (Connection connection = connect(server)) {
            connection.createStatement().execute(sql);
        }
    }

    private boolean canConnect(LocalPostgres server) {
        try (Connection connection = connect(server)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private Connection connect(LocalPostgres server) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database,
                server.user(), "");
    }
}
