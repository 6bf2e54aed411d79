package io.mljobs.db;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every session starts with its class of work's timeouts: a request that meets a locked table or
 * a statement that runs too long gets 503 in seconds, not after the lock holder is done.
 */
@QuarkusTest
@TestProfile(TimeoutsTest.ShortTimeouts.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "timeouts"))
class TimeoutsTest {

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.db.statement-timeout", "PT1S", "mljobs.db.lock-timeout", "PT0.5S",
                    "mljobs.db.background.statement-timeout", "PT3S",
                    "mljobs.db.idle-in-transaction-timeout", "PT7S", "mljobs.http.idle-timeout", "PT1S");
        }
    }

    @Inject
    Db db;

    @Test
    void requestOnALockedTableGets503AfterTheLockTimeout() throws Exception {
        // Warm both paths first: their first use loads classes, which is not what is measured here.
        given().contentType("application/json").body("{\"input_text\": \"warm\"}").post("/jobs").then().statusCode(201);
        given().get("/jobs?limit=5").then().statusCode(200);
        Config config = ConfigProvider.getConfig();
        try (Connection jdbc = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class), "")) {
            jdbc.setAutoCommit(false);
            try (Statement lock = jdbc.createStatement()) {
                lock.execute("LOCK TABLE ml_jobs IN ACCESS EXCLUSIVE MODE");
                long started = System.nanoTime();
                expectProblem(given().contentType("application/json").body("{\"input_text\": \"x\"}").post("/jobs")
                        .then(), 503, "database-unavailable").header("Retry-After", equalTo("1"))
                        .body("type", equalTo("/problems/database-unavailable"));
                long submitMs = (System.nanoTime() - started) / 1_000_000;
                expectProblem(given().get("/jobs?limit=5").then(), 503, "database-unavailable");
                long waitedMs = (System.nanoTime() - started) / 1_000_000;
                assertTrue(waitedMs < 3_000, "two requests took " + waitedMs + " ms (the first " + submitMs
                        + " ms) with a 0.5 s lock timeout");
            } finally {
                jdbc.rollback();
            }
        }
        given().get("/jobs?limit=5").then().statusCode(200);
    }

    @Test
    void clientThatStopsSendingMidRequestIsDisconnected() throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /jobs HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            // The server closes the connection: the read ends (EOF or reset) instead of timing out.
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (SocketException reset) {
                read = -1;
            }
            long closedAfterMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(-1, read);
            assertTrue(closedAfterMs < 4_000, "closed after " + closedAfterMs + " ms with a 1 s idle timeout");
        }
    }

    @Test
    void sessionsCarryTheTimeoutsOfTheirClassOfWork() throws Exception {
        NamedQuery show = NamedQuery.of("test.show", "SELECT current_setting('statement_timeout') AS statement,"
                + " current_setting('lock_timeout') AS lock,"
                + " current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('jit') AS jit");
        var api = Db.firstRow(db.query(show, Tuple.tuple()).await().atMost(Duration.ofSeconds(10))).orElseThrow();
        assertTrue(api.getString("statement").equals("1s") && api.getString("lock").equals("500ms")
                && api.getString("idle").equals("7s") && api.getString("jit").equals("off"), "api session: " + api.toJson());
        NamedQuery showBackground = NamedQuery.background("test.show", show.sql());
        var background = Db.firstRow(db.query(showBackground, Tuple.tuple()).await().atMost(Duration.ofSeconds(10)))
                .orElseThrow();
        assertTrue(background.getString("statement").equals("3s") && background.getString("jit").equals("off"),
                "background session: " + background.toJson());
    }

    @Test
    void statementPastItsTimeoutIsCancelledAndAnswered503() {
        long started = System.nanoTime();
        Throwable failure = db.query(NamedQuery.of("test.sleep", "SELECT pg_sleep(10)"), Tuple.tuple())
                .onItem().transform(rows -> (Throwable) null)
                .onFailure().recoverWithItem(f -> f)
                .await().atMost(Duration.ofSeconds(10));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(failure != null && DatabaseFailures.isUnavailable(failure), "failure: " + failure);
        assertTrue(tookMs < 3_000, "cancelled after " + tookMs + " ms with a 1 s statement timeout");
    }

}
