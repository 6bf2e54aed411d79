package io.mljobs.db;

import static io.mljobs.testing.Problems.expectProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads a replica could answer hold at most mljobs.db.pool.reads-max-size of the primary's connections: with that
 * many slow reads running, the next read waits and gets 503, while submissions and claims still get connections.
 */
@QuarkusTest
@TestProfile(ReadBulkheadTest.TwoOfFourForReads.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "read_bulkhead"))
class ReadBulkheadTest {

    public static class TwoOfFourForReads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.db.pool.max-size", "4", "mljobs.db.pool.reads-max-size", "2",
                    "mljobs.db.pool.admitted-per-connection", "1", "mljobs.db.pool.connection-timeout", "PT0.5S");
        }
    }

    @Inject
    Db db;

    @Test
    void slowReadsLeaveConnectionsForTheQueue() throws Exception {
        given().get("/jobs/stats").then().statusCode(200);
        List<CompletableFuture<?>> slowReads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            // Shorter than the API statement timeout (5 s), which would end them first.
            slowReads.add(db.query(NamedQuery.read("test.slow_read", "SELECT pg_sleep($1)"), Tuple.of(3))
                    .subscribeAsCompletionStage());
        }
        Thread.sleep(300);

        expectProblem(given().get("/jobs/stats").then(), 503, "database-unavailable").header("Retry-After",
                notNullValue());
        // Two of the four connections are free, and work other than reads gets them.
        given().contentType(ContentType.JSON).body("{\"input_text\": \"not behind the reads\"}").post("/jobs").then()
                .statusCode(201);
        given().contentType(ContentType.JSON).body("{\"worker_id\": \"bulkhead\", \"limit\": 1}").post("/jobs/claim")
                .then().statusCode(200).body("jobs.size()", equalTo(1));
        assertTrue(slowReads.stream().noneMatch(CompletableFuture::isDone), "the slow reads ended too early");

        for (CompletableFuture<?> read : slowReads) {
            read.get(30, TimeUnit.SECONDS);
        }
        given().get("/jobs/stats").then().statusCode(200);
    }
}
