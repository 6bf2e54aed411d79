package io.mljobs.archive;

import static io.mljobs.testing.Admin.asAdmin;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.mljobs.db.Db;
import io.mljobs.db.NamedQuery;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A run of thousands of batches ends with its exact count: each batch is one step of a
 * repetition, not one more level of a recursive chain, which overflowed the stack when the fuzz
 * test asked for batches of 100 over a table that earlier tests had filled.
 */
@QuarkusTest
@TestProfile(ManyBatchesTest.SerialRun.class)
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "batches"), @ResourceArg(name = "prefill-rows", value = "60000") })
class ManyBatchesTest {

    public static class SerialRun implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mljobs.archive.parallelism", "1", "mljobs.archive.sync-wait", "PT120S");
        }
    }

    @Inject
    Db db;

    @Test
    void runOfThousandsOfBatchesEndsWithItsCount() {
        // The prefill puts a job a minute over 60,000 minutes, half of them completed or failed.
        long eligible = db.query(NamedQuery.of("test.eligible", "SELECT count(*) FROM ml_jobs WHERE status IN "
                + "('completed', 'failed') AND created_at < now() - interval '1 day'"), Tuple.tuple())
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
        assertTrue(eligible > 25_000, "eligible " + eligible);
        // Batches of 2: over 12,500 of them, and done within the HTTP client's 30 s on a slow host (batches of 1
        // took 25-32 s here when the host lent out a fifth of its CPU).
        asAdmin().queryParam("days_old", 1).queryParam("batch_size", 2).post("/admin/archive-jobs")
                .then().statusCode(200)
                .body("run.state", equalTo("succeeded"))
                .body("archived_count", equalTo((int) eligible))
                .body("run.batches", greaterThan(10_000));
    }
}
