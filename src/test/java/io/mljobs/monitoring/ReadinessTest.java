package io.mljobs.monitoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mljobs.testing.LocalPostgres;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Readiness follows the database within 5 s both ways; liveness never depends on it. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = {
    @ResourceArg(name = "label", value = "readiness"), @ResourceArg(name = "own-server", value = "true")})
class ReadinessTest {

    @Test
    void readinessGoesDownWhenPostgresStopsAndUpWhenItReturns() throws InterruptedException {
        // Looked up here, not injected: only this test's application has these properties.
        Config config = ConfigProvider.getConfig();
        LocalPostgres pg = LocalPostgres.attach(Path.of(config.getValue("mljobs.test.pg-data-dir", String.class)),
                config.getValue("mljobs.test.pg-port", Integer.class));
        assertEquals(200, readiness());

        pg.stopServer();
        try {
            long downAfter = waitFor(503);
            assertTrue(downAfter <= 5_000, "DOWN after " + downAfter + " ms");
            given().get("/q/health/live").then().statusCode(200);
            given().get("/jobs/stats").then().statusCode(greaterThanOrEqualTo(500));
        } finally {
            pg.startServer();
        }
        long upAfter = waitFor(200);
        assertTrue(upAfter <= 5_000, "UP after " + upAfter + " ms");
        given().get("/jobs/stats").then().statusCode(200);
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
