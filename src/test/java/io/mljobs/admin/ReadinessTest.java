package io.mljobs.admin;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.mljobs.testing.JsonHttp;
import io.mljobs.testing.LocalPostgres;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * PostgreSQL stopped and started again under load: readiness follows it within 5 s both ways,
 * liveness never depends on it, requests during the outage get 503 (never a 500, never a hang),
 * and the service recovers without a restart.
 */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "readiness"), @ResourceArg(name = "own-server", value = "true") })
class ReadinessTest {

    @Test
    void readinessGoesDownWhenPostgresStopsAndUpWhenItReturns() throws Exception {
        // Looked up here, not injected: only this test's application has these properties.
        Config config = ConfigProvider.getConfig();
        LocalPostgres pg = LocalPostgres.attach(Path.of(config.getValue("mljobs-test.pg-data-dir", String.class)),
                config.getValue("mljobs-test.pg-port", Integer.class));
        assertEquals(200, readiness());

        // Load through the whole outage: every answer must be 200 or 503, each within 5 s.
        JsonHttp http = new JsonHttp(URI.create(RestAssured.baseURI + ":" + RestAssured.port));
        AtomicBoolean loading = new AtomicBoolean(true);
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicLong slowestMs = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> load = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            load.add(clients.submit(() -> {
                while (loading.get()) {
                    long started = System.nanoTime();
                    int status = http.get(c2path(started)).status();
                    slowestMs.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
                    statuses.merge(status, 1, Integer::sum);
                }
                return null;
            }));
        }
        Thread.sleep(300);

        pg.stopServer();
        try {
            long downAfter = waitFor(503);
            assertTrue(downAfter <= 5_000, "DOWN after " + downAfter + " ms");
            given().get("/q/health/live").then().statusCode(200);
            given().get("/jobs/stats").then().statusCode(503).header("Retry-After", "1");
            Thread.sleep(500);
        } finally {
            pg.startServer();
        }
        long upAfter = waitFor(200);
        assertTrue(upAfter <= 5_000, "UP after " + upAfter + " ms");
        Thread.sleep(500);
        loading.set(false);
        for (Future<?> f : load) {
            f.get();
        }
        clients.shutdown();
        given().get("/jobs/stats").then().statusCode(200);

        assertEquals(Set.of(200, 503), statuses.keySet(), "answers during the outage: " + statuses);
        assertTrue(slowestMs.get() < 5_000, "slowest request " + slowestMs.get() + " ms");
    }

    /** Alternates between a listing and the stats, the two read paths. */
    private static String c2path(long seed) {
        return seed % 2 == 0 ? "/jobs?limit=10" : "/jobs/stats";
    }

    private static int readiness() {
        return given().get("/q/health/ready").then().extract().statusCode();
    }

    /** Milliseconds until readiness answers {@code status}; gives up after 10 s. */
    private static long waitFor(int status) throws InterruptedException {
        long started = System.nanoTime();
        while (readiness() != status) {
            if (System.nanoTime() - started > 10_000_000_000L) {
                break;
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - started) / 1_000_000;
    }
}
