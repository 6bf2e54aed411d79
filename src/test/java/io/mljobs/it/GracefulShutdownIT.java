package io.mljobs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PackagedService;
import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;

/**
 * The packaged service at SIGTERM, as Kubernetes sends it: readiness turns DOWN at once while
 * requests are still answered (the shutdown delay, so endpoints drop the pod first), a request in
 * flight (a heartbeat waiting on a row lock) is finished rather than cut, and the process then stops on its own.
 */
class GracefulShutdownIT {

    @Test
    void sigtermTurnsReadinessDownFinishesRequestsInFlightAndStops() throws Exception {
        PostgresTestResource database = new PostgresTestResource();
        database.init(Map.of("label", "shutdown"));
        Map<String, String> config = database.start();
        try (PackagedService service = PackagedService.start(config)) {
            Process process = service.process();
            // A claimed job whose row this test locks: its heartbeat waits on the lock, in flight.
            service.post("/jobs", "{\"input_text\": \"shutdown\"}");
            String claimed = service.post("/jobs/claim", "{\"worker_id\": \"w1\", \"limit\": 1}");
            Matcher uuid = Pattern.compile("\"job_uuid\":\"([0-9a-f-]{36})\"").matcher(claimed);
            assertTrue(uuid.find(), claimed);
            try (Connection lock = connect(config);
                    Statement sql = lock.createStatement();
                    Connection watch = connect(config);
                    Statement activity = watch.createStatement()) {
                lock.setAutoCommit(false);
                sql.execute("SELECT 1 FROM ml_jobs WHERE job_uuid = '" + uuid.group(1) + "' FOR UPDATE");
                CompletableFuture<HttpResponse<String>> inFlight = service.post("/jobs/" + uuid.group(1) + "/heartbeat",
                        "{\"worker_id\": \"w1\"}", Duration.ofSeconds(30));
                // Asked on a connection of its own: a transaction sees one snapshot of pg_stat_activity.
                Waits.until("the heartbeat waits on the row lock", () -> waitingOnLock(activity) ? true : null);

                long signalled = System.nanoTime();
                process.destroy();
                Waits.until("readiness DOWN after SIGTERM", () -> service.status("/q/health/ready") == 503 ? true : null);
                assertEquals(200, service.status("/jobs?limit=1"), "requests are still answered during the delay");
                lock.commit();
                assertEquals(200, inFlight.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS).statusCode());

                assertTrue(process.waitFor(Waits.BOUND.toSeconds(), TimeUnit.SECONDS), "the service did not stop");
                long stoppedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                // It served through the delay (quarkus.shutdown.delay, 5 s) instead of closing at once.
                assertTrue(stoppedAfterMs >= 4_500, "stopped " + stoppedAfterMs + " ms after SIGTERM");
                assertTrue(service.log().contains("stopped in"), service.log());
            }
        } finally {
            database.stop();
        }
    }

    private static Connection connect(Map<String, String> config) throws java.sql.SQLException {
        return DriverManager.getConnection("jdbc:" + config.get("mljobs.db.url"), config.get("mljobs.db.user"),
                config.get("mljobs.db.password"));
    }

    private static boolean waitingOnLock(Statement sql) throws Exception {
        try (var rows = sql.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%heartbeat_at%'")) {
            return rows.next() && rows.getInt(1) > 0;
        }
    }
}
