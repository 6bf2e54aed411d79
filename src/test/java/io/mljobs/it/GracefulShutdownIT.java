package io.mljobs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;

/**
 * The packaged service at SIGTERM, as Kubernetes sends it: readiness turns DOWN at once while
 * requests are still answered (the shutdown delay, so endpoints drop the pod first), a request in
 * flight (a heartbeat waiting on a row lock) is finished rather than cut, and the process then stops on its own.
 */
class GracefulShutdownIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void sigtermTurnsReadinessDownFinishesRequestsInFlightAndStops() throws Exception {
        assertTrue(Files.exists(JAR), "package the service first (./mvnw package)");
        PostgresTestResource database = new PostgresTestResource();
        database.init(Map.of("label", "shutdown"));
        Map<String, String> config = database.start();
        Path log = Files.createTempFile("mljobs-shutdown-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of(jvmFlags().split(" ")));
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of("MLJOBS_HTTP_PORT", "0", "MLJOBS_ARCHIVE_CRON", "off",
                "MLJOBS_ADMIN_PASSWORD", "a-long-admin-password-1", "MLJOBS_DB_URL", config.get("mljobs.db.url"),
                "MLJOBS_DB_USER", config.get("mljobs.db.user"), "MLJOBS_DB_PASSWORD", config.get("mljobs.db.password")));
        Process process = builder.start();
        try {
            String base = "http://localhost:" + Waits.until("the service listens", () -> {
                Matcher port = LISTENING.matcher(Files.readString(log));
                return port.find() ? port.group(1) : null;
            });
            Waits.until("readiness UP", () -> status(base + "/q/health/ready") == 200 ? true : null);

            // A claimed job whose row this test locks: its heartbeat waits on the lock, in flight.
            post(base + "/jobs", "{\"input_text\": \"shutdown\"}");
            String claimed = post(base + "/jobs/claim", "{\"worker_id\": \"w1\", \"limit\": 1}");
            Matcher uuid = Pattern.compile("\"job_uuid\":\"([0-9a-f-]{36})\"").matcher(claimed);
            assertTrue(uuid.find(), claimed);
            try (Connection lock = connect(config);
                    Statement sql = lock.createStatement();
                    Connection watch = connect(config);
                    Statement activity = watch.createStatement()) {
                lock.setAutoCommit(false);
                sql.execute("SELECT 1 FROM ml_jobs WHERE job_uuid = '" + uuid.group(1) + "' FOR UPDATE");
                CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(HttpRequest.newBuilder(
                        URI.create(base + "/jobs/" + uuid.group(1) + "/heartbeat")).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"worker_id\": \"w1\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                // Asked on a connection of its own: a transaction sees one snapshot of pg_stat_activity.
                Waits.until("the heartbeat waits on the row lock", () -> waitingOnLock(activity) ? true : null);

                long signalled = System.nanoTime();
                process.destroy();
                Waits.until("readiness DOWN after SIGTERM", () -> status(base + "/q/health/ready") == 503 ? true : null);
                assertEquals(200, status(base + "/jobs?limit=1"), "requests are still answered during the delay");
                lock.commit();
                assertEquals(200, inFlight.get(Waits.BOUND.toSeconds(), TimeUnit.SECONDS).statusCode());

                assertTrue(process.waitFor(Waits.BOUND.toSeconds(), TimeUnit.SECONDS), "the service did not stop");
                long stoppedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                // It served through the delay (quarkus.shutdown.delay, 5 s) instead of closing at once.
                assertTrue(stoppedAfterMs >= 4_500, "stopped " + stoppedAfterMs + " ms after SIGTERM");
                assertTrue(Files.readString(log).contains("stopped in"), Files.readString(log));
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
            database.stop();
        }
    }

    /** The flags the other *IT tests (and the JVM image) run the service with. */
    private static String jvmFlags() throws java.io.IOException {
        Properties properties = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties.getProperty("quarkus.test.arg-line");
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

    private static String post(String url, String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() / 100 == 2, url + ": " + response.statusCode() + " " + response.body());
        return response.body();
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
