package io.mljobs.db;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * With every connection held by slow queries, further requests wait a bounded time in a bounded
 * queue, then get 503 with Retry-After; none hangs, and the service recovers by itself.
 */
@QuarkusTest
@TestProfile(PoolExhaustionTest.TinyPool.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "pool"))
class PoolExhaustionTest {

    public static class TinyPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.db.pool.max-size", "2",
                    "mljobs.db.pool.max-wait-queue-size", "2", "mljobs.db.pool.admitted-per-connection", "1",
                    "mljobs.db.pool.connection-timeout", "PT0.5S");
        }
    }

    @Inject
    Db db;

    @TestHTTPResource("/")
    URI base;

    @Test
    void exhaustedPoolAnswers503WithRetryAfterAndRecovers() throws Exception {
        given().get("/jobs/stats").then().statusCode(200);
        NamedQueryHolder hold = new NamedQueryHolder(db);
        // Shorter than the API statement timeout (5 s), which would end the holds first.
        hold.occupy(2, 3);
        awaitSleepingBackends(2);

        expectProblem(given().get("/jobs/stats").then(), 503, "database-unavailable").header("Retry-After", notNullValue());
        // Answered by admission's deadline (0.5 s), not by a connection coming free: the holds still run.
        assertTrue(hold.stillRunning(), "the 503 came only after the holds ended");

        JsonHttp http = new JsonHttp(base);
        List<CompletableFuture<JsonHttp.Reply>> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burst.add(CompletableFuture.supplyAsync(() -> http.get("/jobs?limit=5")));
        }
        for (CompletableFuture<JsonHttp.Reply> reply : burst) {
            JsonHttp.Reply answer = reply.get(30, TimeUnit.SECONDS);
            assertEquals(503, answer.status(), String.valueOf(answer.body()));
        }

        hold.awaitDone();
        given().get("/jobs/stats").then().statusCode(200);
    }

    /** Waits until the holds run on the server, asking over JDBC: the pool has no connection to spare. */
    private static void awaitSleepingBackends(int expected) throws Exception {
        Config config = ConfigProvider.getConfig();
        try (Connection jdbc = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class), "")) {
            for (int tries = 0; tries < 100; tries++) {
                try (ResultSet rs = jdbc.createStatement().executeQuery("SELECT count(*) FROM pg_stat_activity "
                        + "WHERE state = 'active' AND query = 'SELECT pg_sleep($1)'")) {
                    rs.next();
                    if (rs.getInt(1) >= expected) {
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the holding queries did not start within 5 s");
    }

    /** Holds pool connections with pg_sleep, through the one timed query path. */
    static final class NamedQueryHolder {
        private final Db db;
        private final List<CompletableFuture<?>> running = new ArrayList<>();

        NamedQueryHolder(Db db) {
            this.db = db;
        }

        void occupy(int connections, int seconds) {
            for (int i = 0; i < connections; i++) {
                Uni<?> sleep = db.query(NamedQuery.of("test.hold", "SELECT pg_sleep($1)"), Tuple.of(seconds));
                running.add(sleep.subscribeAsCompletionStage());
            }
        }

        boolean stillRunning() {
            return running.stream().noneMatch(CompletableFuture::isDone);
        }

        void awaitDone() throws Exception {
            for (CompletableFuture<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
