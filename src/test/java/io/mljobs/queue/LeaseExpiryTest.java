package io.mljobs.queue;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.mljobs.testing.PostgresTestResource;
import io.mljobs.testing.Waits;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** The scheduled reaper (every second in tests) returns a silent worker's job to the queue. */
@QuarkusTest
@WithTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "label", value = "queue"))
class LeaseExpiryTest {

    @Inject
    Pool pool;

    @Test
    void silentWorkersJobGoesBackToPendingAndALiveOneStays() throws InterruptedException {
        List<String> jobs = WorkerLifecycleTest.submit("silent", "alive");
        JsonPath claimed = WorkerLifecycleTest.claim("lease-test", 100);
        assertEquals(true, claimed.getList("jobs.job_uuid").containsAll(jobs));
        String silent = jobs.get(0);
        String alive = jobs.get(1);
        // The worker of `silent` was last heard of 11 minutes ago: past the 10-minute lease.
        pool.preparedQuery("UPDATE ml_jobs SET heartbeat_at = now() - interval '11 minutes' WHERE job_uuid = $1")
                .execute(Tuple.of(UUID.fromString(silent))).await().atMost(Waits.BOUND);

        JsonPath job = null;
        for (int tries = 0; tries < 100; tries++) {
            job = given().get("/jobs/" + silent).then().statusCode(200).extract().jsonPath();
            if ("pending".equals(job.getString("status"))) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("pending", job.getString("status"), "reaped within 10 s");
        assertNull(job.getString("worker_id"));
        assertNull(job.getString("started_at"));
        assertEquals("running", given().get("/jobs/" + alive).then().extract().jsonPath().getString("status"));
    }
}
